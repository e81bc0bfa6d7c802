package io.mogul.chaos.fault;

import io.mogul.launcher.NodeProcess;
import java.util.List;
import java.util.stream.Collectors;

/** Healing by starting killed processes again on their old data. */
final class Restart implements Fault.Injected {
  private final List<NodeProcess> nodes;

  private Restart(List<NodeProcess> nodes) {
    this.nodes = nodes;
  }

  static Restart of(NodeProcess node) {
    return new Restart(List.of(node));
  }

  static Restart of(List<NodeProcess> nodes) {
    return new Restart(List.copyOf(nodes));
  }

  @Override
  public String target() {
    return nodes.stream().map(NodeProcess::name).collect(Collectors.joining(","));
  }

  @Override
  public void heal() throws Exception {
    for (NodeProcess node : nodes) {
      if (!node.isAlive()) {
        node.start();
      }
    }
  }
}
