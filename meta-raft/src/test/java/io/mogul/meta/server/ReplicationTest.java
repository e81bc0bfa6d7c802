package io.mogul.meta.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.StoreDump;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ListKeysRequest;
import io.mogul.proto.ReadOptions;
import io.mogul.proto.Setting;
import io.mogul.proto.TrackerStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class ReplicationTest {
  @TempDir Path dir;
  TrackerCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * Stops the leader's background jobs from proposing, waits until every tracker has applied
   * the same index and no entry arrived for a while, stops them all and returns each one's
   * full state. (Jobs committing while the trackers are being stopped would leave them at
   * different indexes, which is not a divergence.)
   */
  private List<Map<String, String>> settleAndDump() throws Exception {
    for (String job : List.of("replication.enabled", "deletion.enabled", "rebalance.enabled")) {
      TrackerCluster.retrying(() -> cluster.admin(cluster.awaitLeader(Duration.ofSeconds(30)))
          .setSetting(Setting.newBuilder().setName(job).setValue("false").build()));
    }
    long[] quietSince = {System.nanoTime()};
    long[] lastApplied = {-1};
    TrackerCluster.await(Duration.ofSeconds(60), "all trackers applied the same index, and nothing new for 2 s", () -> {
      long applied = -1;
      long commit = cluster.status(0).getCommitIndex();
      for (int i = 0; i < cluster.size(); i++) {
        TrackerStatus s = cluster.status(i);
        if (applied >= 0 && s.getAppliedIndex() != applied) {
          return false;
        }
        applied = s.getAppliedIndex();
      }
      if (applied != lastApplied[0]) {
        lastApplied[0] = applied;
        quietSince[0] = System.nanoTime();
        return false;
      }
      return applied >= commit && System.nanoTime() - quietSince[0] > 2_000_000_000L;
    });
    cluster.close();
    List<Map<String, String>> dumps = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      try (MetaStore store = MetaStore.open(Path.of(cluster.config(i).dataDir, "state"))) {
        dumps.add(StoreDump.of(store, true));
      }
    }
    cluster = null;
    return dumps;
  }

  @Test
  void everyReplicaHoldsIdenticalStateAfterRandomCommands() throws Exception {
    long seed = Long.getLong("mogul.test.seed", System.nanoTime());
    cluster = new TrackerCluster(dir, 3, c -> { });
    cluster.startAll();
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    cluster.datanode(leader, "dn1", "a", 2);
    cluster.datanode(leader, "dn2", "b", 2);
    cluster.datanode(leader, "dn3", "c", 1);
    TrackerCluster.retrying(() -> cluster.admin(leader).createDomain(DomainRef.newBuilder().setName("d0").build()));
    Workload work = new Workload(cluster, seed);
    for (int i = 0; i < 150; i++) {
      work.step();
    }
    assertTrue(work.succeeded > 30, "seed " + seed + ": only " + work.succeeded + " commands succeeded");
    List<Map<String, String>> dumps = settleAndDump();
    assertTrue(dumps.get(0).size() > 20, "seed " + seed);
    assertEquals(dumps.get(0), dumps.get(1), "seed " + seed + ": replicas 1 and 2 differ");
    assertEquals(dumps.get(0), dumps.get(2), "seed " + seed + ": replicas 1 and 3 differ");
  }

  @Test
  void wipedTrackerCatchesUpBySnapshotInstallAfterLogWasPurged() throws Exception {
    long seed = Long.getLong("mogul.test.seed", System.nanoTime());
    cluster = new TrackerCluster(dir, 3, c -> {
      c.raft.snapshotThreshold = 40;
      c.raft.purgeGap = 4;
      c.raft.segmentSizeBytes = 16 * 1024;
      c.raft.batchMaxInFlight = 1;
    });
    cluster.startAll();
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    cluster.datanode(leader, "dn1", "a", 1);
    cluster.datanode(leader, "dn2", "b", 1);
    TrackerCluster.retrying(() -> cluster.admin(leader).createDomain(DomainRef.newBuilder().setName("d0").build()));
    int victim = cluster.anyFollower(leader);
    cluster.stop(victim);
    cluster.wipe(victim);
    Workload work = new Workload(cluster, seed);
    int n = 0;
    while (true) {
      work.put(leader, "d0", "file-" + n++);
      TrackerStatus s = cluster.status(leader);
      if (s.getSnapshotIndex() > 0 && s.getLogStartIndex() > 1 && n >= 100) {
        break;
      }
      assertTrue(n < 3000, "seed " + seed + ": the log was never purged: " + s);
    }
    int files = n;
    cluster.start(victim);
    TrackerCluster.await(Duration.ofSeconds(60), "wiped tracker catches up", () -> cluster.tracker(victim)
        .listKeys(ListKeysRequest.newBuilder().setDomain("d0").setLimit(10_000)
            .setRead(ReadOptions.newBuilder().setStaleOk(true)).build()).getKeysCount() == files);
    assertTrue(cluster.status(victim).getSnapshotIndex() > 0, "installed a snapshot");
    work.put(victim, "d0", "after-install");
    List<Map<String, String>> dumps = settleAndDump();
    assertEquals(dumps.get(0), dumps.get(1), "seed " + seed);
    assertEquals(dumps.get(0), dumps.get(2), "seed " + seed);
  }
}
