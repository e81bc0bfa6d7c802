package io.mogul.meta.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.mogul.common.MogulException;
import io.mogul.meta.request.FeatureLevel;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.DomainRef;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.TrackerStatus;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A command newer than the first release is logged only once every tracker is known to apply it. */
@Timeout(120)
class FeatureLevelGateTest {
  @TempDir Path dir;
  TrackerCluster cluster;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new TrackerCluster(dir, 3, c -> { });
    // Two of three: a majority, which elects a leader and commits, while the third is unheard of.
    cluster.start(0);
    cluster.start(1);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void newerCommandWaitsForATrackerNeverHeardFromAndProceedsOnceItAnswers() throws Exception {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    String absent = cluster.config(2).id;
    // The absent tracker may be an older build that would reject the command when it joins.
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> cluster.admin(leader).fsckClearLog(Empty.getDefaultInstance()));
    MogulException refused = MogulException.from(e);
    assertEquals(ErrorReason.UNAVAILABLE, refused.reason());
    assertTrue(refused.getMessage().contains("fsck clearlog") && refused.getMessage().contains(absent),
        refused.getMessage());
    // Commands of the first release need only a majority.
    cluster.admin(leader).createDomain(DomainRef.newBuilder().setName("photos").build());

    cluster.start(2);
    FsckStatus cleared = TrackerCluster.retrying(() -> cluster.admin(leader).fsckClearLog(Empty.getDefaultInstance()));
    assertEquals(0, cleared.getLogEntries());
    ClusterCheck check = cluster.admin(leader).checkCluster(Empty.getDefaultInstance());
    for (TrackerStatus t : check.getTrackersList()) {
      assertEquals(FeatureLevel.CURRENT, t.getFeatureLevel(), t.getPeerId());
    }

    // Once heard from, a tracker that stops answering counts with the level it reported:
    // it comes back as the same build.
    cluster.stop(2);
    cluster.admin(leader).fsckClearLog(Empty.getDefaultInstance());
  }
}
