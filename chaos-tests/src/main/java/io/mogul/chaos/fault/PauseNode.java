package io.mogul.chaos.fault;

import io.mogul.launcher.NodeProcess;
import java.util.ArrayList;
import java.util.List;

/** SIGSTOP any one running tracker or datanode (a long GC pause or a hung host); healed by SIGCONT. */
public final class PauseNode implements Fault {
  @Override
  public String name() {
    return "pause-node";
  }

  @Override
  public Injected inject(FaultContext context) {
    List<NodeProcess> candidates = new ArrayList<>(context.runningTrackers());
    candidates.addAll(context.runningDatanodes());
    NodeProcess victim = context.pick(candidates);
    victim.pause();
    return new Injected() {
      @Override
      public String target() {
        return victim.name();
      }

      @Override
      public void heal() {
        victim.resume();
      }
    };
  }
}
