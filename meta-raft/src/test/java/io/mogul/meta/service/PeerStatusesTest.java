package io.mogul.meta.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.MogulException;
import io.mogul.meta.request.FeatureLevel;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.RaftRole;
import io.mogul.proto.TrackerStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerStatusesTest {
  private static TrackerStatus tracker(String id, RaftRole role, int level) {
    return TrackerStatus.newBuilder().setPeerId(id).setRole(role).setFeatureLevel(level).build();
  }

  private static TrackerStatus silent(String id) {
    return TrackerStatus.newBuilder().setPeerId(id).setRole(RaftRole.UNREACHABLE).setError("connection refused").build();
  }

  @Test
  void everyTrackerAtTheLevelOrLaterLetsTheCommandThrough() {
    PeerStatuses.checkLevel(List.of(tracker("t1", RaftRole.LEADER, 2), tracker("t2", RaftRole.FOLLOWER, 2),
        tracker("t3", RaftRole.FOLLOWER, 3)), Map.of(), 2);
  }

  @Test
  void aTrackerOfAnOlderBuildIsNamedAndMustBeUpgraded() {
    MogulException e = assertThrows(MogulException.class, () -> PeerStatuses.checkLevel(List.of(
        tracker("t1", RaftRole.LEADER, 2), tracker("t2", RaftRole.FOLLOWER, 1), tracker("t3", RaftRole.FOLLOWER, 2)),
        Map.of(), FeatureLevel.FSCK_CLEAR_LOG));
    assertEquals(ErrorReason.UPGRADE_REQUIRED, e.reason());
    assertTrue(e.getMessage().contains("fsck clearlog") && e.getMessage().contains("upgrade t2 at level 1"),
        e.getMessage());
  }

  @Test
  void aTrackerThatReportsNoLevelCountsAsOlder() {
    MogulException e = assertThrows(MogulException.class, () -> PeerStatuses.checkLevel(List.of(
        tracker("t1", RaftRole.LEADER, 2), tracker("t2", RaftRole.FOLLOWER, 0)), Map.of(), 2));
    assertEquals(ErrorReason.UPGRADE_REQUIRED, e.reason());
  }

  @Test
  void aTrackerNeverHeardFromMakesTheCommandWaitRetriably() {
    MogulException e = assertThrows(MogulException.class, () -> PeerStatuses.checkLevel(List.of(
        tracker("t1", RaftRole.LEADER, 2), silent("t3")), Map.of("t2", 2), 2));
    assertEquals(ErrorReason.UNAVAILABLE, e.reason());
    assertTrue(e.retriable());
    assertTrue(e.getMessage().contains("t3 (connection refused)"), e.getMessage());
  }

  @Test
  void anOlderBuildOutweighsASilentTracker() {
    MogulException e = assertThrows(MogulException.class, () -> PeerStatuses.checkLevel(List.of(
        tracker("t1", RaftRole.LEADER, 2), tracker("t2", RaftRole.FOLLOWER, 1), silent("t3")), Map.of(), 2));
    assertEquals(ErrorReason.UPGRADE_REQUIRED, e.reason());
  }

  @Test
  void aSilentTrackerCountsWithTheLevelItLastAnsweredWith() {
    PeerStatuses.checkLevel(List.of(tracker("t1", RaftRole.LEADER, 2), silent("t3")), Map.of("t3", 2), 2);
    MogulException e = assertThrows(MogulException.class, () -> PeerStatuses.checkLevel(List.of(
        tracker("t1", RaftRole.LEADER, 2), silent("t3")), Map.of("t3", 1), 2));
    assertEquals(ErrorReason.UPGRADE_REQUIRED, e.reason());
    assertTrue(e.getMessage().contains("upgrade t3 at level 1"), e.getMessage());
  }
}
