package io.mogul.meta.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.StatusRuntimeException;
import io.mogul.common.MogulException;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.ReadOptions;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ListRequest;
import io.mogul.proto.RegisterResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class LeaderDutiesTest {
  @TempDir Path dir;
  TrackerCluster cluster;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void expiredUploadsAreQueuedForDeletionAndDeviceUsageIsPersisted() throws Exception {
    cluster = new TrackerCluster(dir, 3, c -> {
      c.uploads.expirySeconds = 1;
      c.uploads.expiryCheckSeconds = 1;
      c.monitor.usageCheckSeconds = 1;
    });
    cluster.startAll();
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    TrackerCluster.retrying(() -> cluster.admin(leader).createDomain(DomainRef.newBuilder().setName("d").build()));
    RegisterResponse dn1 = cluster.datanode(leader, "dn1", "", 1);
    cluster.datanode(leader, "dn2", "", 1);
    int follower = cluster.anyFollower(leader);
    CreateOpenResponse open = TrackerCluster.retrying(() -> cluster.tracker(follower).createOpen(
        CreateOpenRequest.newBuilder().setDomain("d").setKey("k").build()));
    TrackerCluster.await(Duration.ofSeconds(30), "the upload expires", () -> {
      ClusterStats s = cluster.admin(follower).getStats(ListRequest.getDefaultInstance());
      return s.getOpenUploads() == 0 && s.getPendingDeletions() == 1;
    });
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> cluster.tracker(follower).createClose(
        CreateCloseRequest.newBuilder().setDomain("d").setKey("k").setFid(open.getFid()).setLength(1)
            .addDeviceIds(open.getDevices(0).getDeviceId()).build()));
    assertEquals(ErrorReason.UPLOAD_EXPIRED, MogulException.from(e).reason());
    int device = dn1.getDeviceIds(0);
    // The fake datanodes report 1 TiB; a restarted tracker has observed nothing itself, so
    // what it lists for the device is what the leader persisted through the log.
    cluster.stopHeartbeats();
    cluster.stop(follower);
    cluster.start(follower);
    TrackerCluster.await(Duration.ofSeconds(30), "usage persisted and replicated", () -> {
      for (DeviceInfo d : cluster.admin(follower).listDevices(ListRequest.newBuilder()
          .setRead(ReadOptions.newBuilder().setStaleOk(true)).build()).getDevicesList()) {
        if (d.getDeviceId() == device) {
          return d.getCapacityBytes() == 1L << 40 && !d.getReachable();
        }
      }
      return false;
    });
  }
}
