package io.mogul.chaos.fault;

import io.mogul.launcher.NodeProcess;
import java.util.List;

/** SIGKILL any one running tracker; healed by starting it again. */
public final class KillTracker implements Fault {
  @Override
  public String name() {
    return "kill-tracker";
  }

  @Override
  public Injected inject(FaultContext context) throws Exception {
    List<NodeProcess> running = context.runningTrackers();
    if (running.size() < context.cluster().trackers().size()) {
      return null; // keep a majority: only one tracker down at a time
    }
    NodeProcess victim = context.pick(running);
    victim.kill();
    return Restart.of(victim);
  }
}
