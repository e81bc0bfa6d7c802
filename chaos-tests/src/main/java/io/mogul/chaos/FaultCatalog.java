package io.mogul.chaos;

import io.mogul.chaos.fault.CorruptBlob;
import io.mogul.chaos.fault.Fault;
import io.mogul.chaos.fault.IsolateTracker;
import io.mogul.chaos.fault.KillDatanodes;
import io.mogul.chaos.fault.KillLeader;
import io.mogul.chaos.fault.KillTracker;
import io.mogul.chaos.fault.PauseNode;
import io.mogul.chaos.fault.RestartCluster;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Every fault the harness knows, by name. */
public final class FaultCatalog {
  private static final Map<String, Supplier<Fault>> FAULTS = Map.of(
      "kill-leader", KillLeader::new,
      "kill-tracker", KillTracker::new,
      "kill-datanodes", KillDatanodes::new,
      "pause-node", PauseNode::new,
      "isolate-tracker", IsolateTracker::new,
      "restart-cluster", RestartCluster::new,
      "corrupt-blob", CorruptBlob::new);

  public static final List<String> ALL = List.of("kill-leader", "kill-tracker", "kill-datanodes", "pause-node",
      "isolate-tracker", "restart-cluster", "corrupt-blob");

  private FaultCatalog() {}

  public static Fault create(String name) {
    Supplier<Fault> f = FAULTS.get(name);
    if (f == null) {
      throw new IllegalArgumentException("unknown fault '" + name + "'; known: " + String.join(", ", ALL));
    }
    return f.get();
  }
}
