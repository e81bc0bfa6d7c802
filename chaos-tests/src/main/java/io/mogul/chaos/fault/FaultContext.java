package io.mogul.chaos.fault;

import io.mogul.chaos.history.History;
import io.mogul.chaos.net.ConnectProxy;
import io.mogul.chaos.net.FaultProxy;
import io.mogul.launcher.NodeProcess;
import io.mogul.launcher.ProcessCluster;
import io.mogul.client.MogulClient;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What faults act on: the process cluster, the network proxies around each tracker, a
 * client, the history (to find stored files) and the run's seeded random source.
 *
 * @param ingress per tracker name, the proxy its peers reach its Raft port through
 * @param egress per tracker name, the proxy all its outgoing connections go through
 */
public record FaultContext(ProcessCluster cluster, Map<String, FaultProxy> ingress, Map<String, ConnectProxy> egress,
    MogulClient client, History history, String domain, long seed, int mindevcount, Random random) {

  public <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  public List<NodeProcess> runningTrackers() {
    return cluster.trackers().stream().filter(NodeProcess::isAlive).toList();
  }

  public List<NodeProcess> runningDatanodes() {
    return cluster.datanodes().stream().filter(NodeProcess::isAlive).toList();
  }
}
