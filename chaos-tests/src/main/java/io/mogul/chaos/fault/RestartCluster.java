package io.mogul.chaos.fault;

import io.mogul.launcher.NodeProcess;
import java.util.ArrayList;
import java.util.List;

/** SIGKILL every process at once (a power cut); healed by starting them all again. */
public final class RestartCluster implements Fault {
  @Override
  public String name() {
    return "restart-cluster";
  }

  @Override
  public Injected inject(FaultContext context) throws Exception {
    List<NodeProcess> all = new ArrayList<>(context.cluster().trackers());
    all.addAll(context.cluster().datanodes());
    for (NodeProcess node : all) {
      if (node.isAlive()) {
        node.kill();
      }
    }
    return Restart.of(all);
  }
}
