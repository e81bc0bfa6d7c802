package io.mogul.chaos.fault;

import io.mogul.launcher.NodeProcess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * SIGKILL between one and {@code mindevcount - 1} datanodes at once, so at least one copy
 * of every acknowledged file stays reachable; healed by starting them again.
 */
public final class KillDatanodes implements Fault {
  @Override
  public String name() {
    return "kill-datanodes";
  }

  @Override
  public Injected inject(FaultContext context) throws Exception {
    List<NodeProcess> running = new ArrayList<>(context.runningDatanodes());
    int most = Math.min(context.mindevcount() - 1, running.size() - 1);
    if (most < 1) {
      return null;
    }
    Collections.shuffle(running, context.random());
    List<NodeProcess> victims = running.subList(0, 1 + context.random().nextInt(most));
    for (NodeProcess victim : victims) {
      victim.kill();
    }
    return Restart.of(victims);
  }
}
