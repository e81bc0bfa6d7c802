package io.mogul.meta.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.mogul.common.MogulException;
import io.mogul.meta.service.LeaderForwarding;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.FileKey;
import io.mogul.proto.KeySummary;
import io.mogul.proto.ListClassesRequest;
import io.mogul.proto.ListFidsRequest;
import io.mogul.proto.ListFidsResponse;
import io.mogul.proto.ListRequest;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.SetAttributesRequest;
import io.mogul.proto.Setting;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.DomainRef;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.GetPathsRequest;
import io.mogul.proto.GetPathsResponse;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.ListKeysRequest;
import io.mogul.proto.ListKeysResponse;
import io.mogul.proto.ReadOptions;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class TrackerClusterTest {
  @TempDir Path dir;
  TrackerCluster cluster;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new TrackerCluster(dir, 3, c -> { });
    cluster.startAll();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private FileInfo put(int via, String domain, String key) {
    return TrackerCluster.retrying(() -> {
      CreateOpenResponse open = cluster.tracker(via).createOpen(CreateOpenRequest.newBuilder()
          .setDomain(domain).setKey(key).build());
      CreateCloseRequest.Builder close = CreateCloseRequest.newBuilder().setDomain(domain).setKey(key)
          .setFid(open.getFid()).setLength(key.length()).setCrc32C(7);
      for (int i = 0; i < open.getMindevcount(); i++) {
        close.addDeviceIds(open.getDevices(i).getDeviceId());
      }
      return cluster.tracker(via).createClose(close.build());
    });
  }

  private void prepare(int via) {
    TrackerCluster.retrying(() -> cluster.admin(via).createDomain(DomainRef.newBuilder().setName("photos").build()));
    cluster.datanode(via, "dn1", "z1", 2);
    cluster.datanode(via, "dn2", "z2", 2);
  }

  @Test
  void writesSentToAFollowerSucceedAndAreReadEverywhere() {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    int follower = cluster.anyFollower(leader);
    prepare(follower);
    FileInfo info = put(follower, "photos", "cat.jpg");
    assertEquals(2, info.getLocationsCount());
    Set<Integer> hosts = new HashSet<>();
    for (DeviceLocation l : info.getLocationsList()) {
      hosts.add(l.getHostId());
    }
    assertEquals(2, hosts.size(), "copies on distinct hosts");
    for (int i = 0; i < cluster.size(); i++) {
      GetPathsResponse paths = cluster.tracker(i).getPaths(GetPathsRequest.newBuilder().setDomain("photos").setKey("cat.jpg").build());
      assertEquals(info.getFid(), paths.getFid(), "tracker " + i);
      assertEquals(2, paths.getLocationsCount());
    }
    ListKeysResponse keys = cluster.tracker(follower).listKeys(ListKeysRequest.newBuilder().setDomain("photos").build());
    assertEquals(1, keys.getKeysCount());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> cluster.tracker(follower)
        .createOpen(CreateOpenRequest.newBuilder().setDomain("nope").setKey("k").build()));
    assertEquals(ErrorReason.UNKNOWN_DOMAIN, MogulException.from(e).reason());
  }

  @Test
  void aFollowerNamesTheLeaderInItsAnswersAndTheLeaderDoesNot() {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    int follower = cluster.anyFollower(leader);
    prepare(follower);
    java.util.concurrent.atomic.AtomicReference<io.grpc.Metadata> headers = new java.util.concurrent.atomic.AtomicReference<>();
    ListKeysRequest list = ListKeysRequest.newBuilder().setDomain("photos").build();
    cluster.tracker(follower).withInterceptors(io.grpc.stub.MetadataUtils.newCaptureMetadataInterceptor(
        headers, new java.util.concurrent.atomic.AtomicReference<>())).listKeys(list);
    assertEquals(cluster.address(leader), headers.get().get(LeaderForwarding.LEADER));
    cluster.tracker(leader).withInterceptors(io.grpc.stub.MetadataUtils.newCaptureMetadataInterceptor(
        headers, new java.util.concurrent.atomic.AtomicReference<>())).listKeys(list);
    assertNull(headers.get().get(LeaderForwarding.LEADER));
  }

  @Test
  void registrationIsIdempotentAndHeartbeatsReturnAssignments() {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    int follower = cluster.anyFollower(leader);
    RegisterRequest req = RegisterRequest.newBuilder().setHostName("dn9").setAddress("127.0.0.1:9").setDeviceCount(3).build();
    RegisterResponse first = TrackerCluster.retrying(() -> cluster.registry(follower).register(req));
    RegisterResponse again = TrackerCluster.retrying(() -> cluster.registry(leader).register(req));
    assertEquals(first, again);
    assertEquals(3, first.getDeviceIdsCount());
    TrackerCluster.await(Duration.ofSeconds(10), "heartbeat accepted on every tracker", () -> {
      for (int i = 0; i < cluster.size(); i++) {
        var r = cluster.registry(i).heartbeat(HeartbeatRequest.newBuilder().setHostId(first.getHostId()).build());
        if (r.getDevicesCount() != 3) {
          return false;
        }
      }
      return true;
    });
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> cluster.registry(leader).heartbeat(HeartbeatRequest.newBuilder().setHostId(999).build()));
    assertEquals(ErrorReason.UNKNOWN_HOST, MogulException.from(e).reason());
    StatusRuntimeException lagging = assertThrows(StatusRuntimeException.class,
        () -> cluster.registry(follower).heartbeat(HeartbeatRequest.newBuilder().setHostId(999).build()));
    assertEquals(ErrorReason.UNAVAILABLE, MogulException.from(lagging).reason(), "only the leader says UNKNOWN_HOST");
  }

  @Test
  void aDeviceItsDatanodeReportsUnhealthyIsListedUnreachableWithTheReason() {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    RegisterResponse dn = TrackerCluster.retrying(() -> cluster.registry(leader).register(RegisterRequest.newBuilder()
        .setHostName("dn8").setAddress("127.0.0.1:8").setDeviceCount(1).build()));
    int device = dn.getDeviceIds(0);
    DeviceReport.Builder report = DeviceReport.newBuilder().setDeviceId(device).setCapacityBytes(1L << 40);
    String why = "cannot read fid 7: java.io.IOException: Is a directory";
    TrackerCluster.retrying(() -> cluster.registry(leader).heartbeat(HeartbeatRequest.newBuilder()
        .setHostId(dn.getHostId()).addDevices(report.setHealthy(false).setError(why)).build()));
    DeviceInfo down = listed(leader, device);
    assertTrue(!down.getReachable() && down.getError().equals(why), down.toString());
    // A healthy report clears the reason: it only says why the device is unhealthy now.
    cluster.registry(leader).heartbeat(HeartbeatRequest.newBuilder().setHostId(dn.getHostId())
        .addDevices(report.setHealthy(true).setError("")).build());
    DeviceInfo up = listed(leader, device);
    assertTrue(up.getReachable() && up.getError().isEmpty(), up.toString());
  }

  private DeviceInfo listed(int tracker, int device) {
    return cluster.admin(tracker).listDevices(ListRequest.getDefaultInstance()).getDevicesList().stream()
        .filter(d -> d.getDeviceId() == device).findFirst().orElseThrow();
  }

  @Test
  void leaderStopsNewLeaderIsElectedAndNothingCommittedIsLost() {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    prepare(leader);
    for (int i = 0; i < 20; i++) {
      put(i % 3, "photos", "k" + i);
    }
    // Open uploads live in the leader's memory: one opened now dies with this leader.
    CreateOpenResponse lost = TrackerCluster.retrying(() -> cluster.tracker(leader).createOpen(
        CreateOpenRequest.newBuilder().setDomain("photos").setKey("lost").build()));
    cluster.stop(leader);
    int next = cluster.awaitLeader(Duration.ofSeconds(30));
    assertNotEquals(leader, next);
    CreateCloseRequest closeLost = CreateCloseRequest.newBuilder().setDomain("photos").setKey("lost")
        .setFid(lost.getFid()).setLength(1).addDeviceIds(lost.getDevices(0).getDeviceId())
        .addDeviceIds(lost.getDevices(1).getDeviceId()).build();
    MogulException expired = TrackerCluster.retrying(() -> {
      try {
        cluster.tracker(next).createClose(closeLost);
        return null;
      } catch (StatusRuntimeException e) {
        MogulException m = MogulException.from(e);
        if (m.retriable()) {
          throw e;   // the new leader is not ready yet
        }
        return m;
      }
    });
    assertEquals(ErrorReason.UPLOAD_EXPIRED, expired == null ? null : expired.reason(), "a new leader never held it");
    for (int i = 0; i < cluster.size(); i++) {
      if (!cluster.running(i)) {
        continue;
      }
      int via = i;
      ListKeysResponse keys = TrackerCluster.retrying(() -> cluster.tracker(via).listKeys(
          ListKeysRequest.newBuilder().setDomain("photos").setLimit(100).build()));
      assertEquals(20, keys.getKeysCount(), "tracker " + i);
    }
    put(cluster.anyFollower(next), "photos", "after-failover");
    ClusterCheck check = cluster.admin(next).checkCluster(Empty.getDefaultInstance());
    assertTrue(check.getHealthy());
    assertEquals(3, check.getTrackersCount());
  }

  @Test
  void stoppedTrackerRestartedFromItsDiskRejoins() throws Exception {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    prepare(leader);
    put(leader, "photos", "before");
    int follower = cluster.anyFollower(leader);
    cluster.stop(follower);
    for (int i = 0; i < 10; i++) {
      put(leader, "photos", "while-down-" + i);
    }
    cluster.start(follower);
    TrackerCluster.await(Duration.ofSeconds(30), "restarted tracker catches up", () -> cluster.tracker(follower)
        .listKeys(ListKeysRequest.newBuilder().setDomain("photos").setRead(ReadOptions.newBuilder().setStaleOk(true))
            .build()).getKeysCount() == 11);
    assertEquals(11, cluster.tracker(follower).listKeys(ListKeysRequest.newBuilder().setDomain("photos").build()).getKeysCount());
  }

  @Test
  void wholeGroupRestartedTogetherKeepsEverythingAndServesWrites() throws Exception {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    prepare(leader);
    for (int i = 0; i < 20; i++) {
      put(leader, "photos", "before-" + i);
    }
    for (int i = 0; i < cluster.size(); i++) {
      cluster.stop(i);
    }
    cluster.startAll();
    int newLeader = cluster.awaitLeader(Duration.ofSeconds(60));
    // Liveness is observed, not replicated: devices are writable again once heartbeats arrive.
    TrackerCluster.await(Duration.ofSeconds(30), "a write succeeds after the restart", () -> {
      try {
        put(newLeader, "photos", "after");
        return true;
      } catch (MogulException e) {
        if (e.reason() != ErrorReason.NO_WRITABLE_DEVICE) {
          throw e;
        }
        return false;
      }
    });
    for (int i = 0; i < cluster.size(); i++) {
      int t = i;
      TrackerCluster.await(Duration.ofSeconds(30), "tracker " + t + " applies everything after the restart",
          () -> cluster.tracker(t).listKeys(ListKeysRequest.newBuilder().setDomain("photos")
              .setRead(ReadOptions.newBuilder().setStaleOk(true)).build()).getKeysCount() == 21);
    }
  }

  @Test
  void clientAndAdminCallsWorkThroughAFollower() {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    int f = cluster.anyFollower(leader);
    prepare(f);
    for (String k : new String[] {"a/1", "a/2", "a/3", "b/1"}) {
      put(f, "photos", k);
    }
    ListKeysResponse page1 = cluster.tracker(f).listKeys(ListKeysRequest.newBuilder().setDomain("photos")
        .setPrefix("a/").setLimit(2).build());
    assertEquals(List.of("a/1", "a/2"), page1.getKeysList().stream().map(KeySummary::getKey).toList());
    assertEquals("a/2", page1.getNextAfter());
    ListKeysResponse page2 = cluster.tracker(f).listKeys(ListKeysRequest.newBuilder().setDomain("photos")
        .setPrefix("a/").setAfter(page1.getNextAfter()).setLimit(2).build());
    assertEquals(List.of("a/3"), page2.getKeysList().stream().map(KeySummary::getKey).toList());
    assertEquals("", page2.getNextAfter());

    FileInfo withAttrs = cluster.tracker(f).setAttributes(SetAttributesRequest.newBuilder().setDomain("photos")
        .setKey("a/1").putAttributes("width", "1024").setContentType("image/jpeg").build());
    assertEquals("1024", withAttrs.getAttributesMap().get("width"));
    cluster.tracker(f).rename(RenameRequest.newBuilder().setDomain("photos").setFromKey("a/1").setToKey("c/1").build());
    FileInfo renamed = cluster.tracker(f).getFileInfo(FileKey.newBuilder().setDomain("photos").setKey("c/1").build());
    assertEquals("image/jpeg", renamed.getContentType());
    StatusRuntimeException exists = assertThrows(StatusRuntimeException.class, () -> cluster.tracker(f).rename(
        RenameRequest.newBuilder().setDomain("photos").setFromKey("a/2").setToKey("c/1").build()));
    assertEquals(ErrorReason.KEY_EXISTS, MogulException.from(exists).reason());
    cluster.tracker(f).delete(FileKey.newBuilder().setDomain("photos").setKey("b/1").build());
    StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> cluster.tracker(f)
        .getPaths(GetPathsRequest.newBuilder().setDomain("photos").setKey("b/1").build()));
    assertEquals(ErrorReason.UNKNOWN_KEY, MogulException.from(gone).reason());

    ListFidsResponse fids = cluster.tracker(f).listFids(ListFidsRequest.newBuilder().setLimit(2).build());
    assertEquals(2, fids.getFidsCount());
    ListFidsResponse rest = cluster.tracker(f).listFids(ListFidsRequest.newBuilder().setAfterFid(fids.getNextAfter()).build());
    assertEquals(1, rest.getFidsCount());
    assertTrue(rest.getFids(0).getFid() > fids.getNextAfter());

    ClusterStats stats = cluster.admin(f).getStats(ListRequest.getDefaultInstance());
    assertEquals(3, stats.getFileCount());
    assertEquals(1, stats.getPendingDeletions());
    assertEquals(1, cluster.admin(f).listDomains(ListRequest.getDefaultInstance()).getDomainsCount());
    assertEquals(1, cluster.admin(f).listClasses(ListClassesRequest.newBuilder().setDomain("photos").build()).getClassesCount());
    assertEquals(2, cluster.admin(f).listHosts(ListRequest.getDefaultInstance()).getHostsCount());
    // Each tracker observes heartbeats itself; the fake datanodes send them every 500 ms.
    TrackerCluster.await(Duration.ofSeconds(10), "follower sees every device reachable", () -> cluster.admin(f)
        .listDevices(ListRequest.getDefaultInstance()).getDevicesList().stream().allMatch(DeviceInfo::getReachable));
    Setting set = cluster.admin(f).setSetting(Setting.newBuilder().setName("rebalance.enabled").setValue("true").build());
    assertEquals("true", set.getValue());
    assertTrue(cluster.admin(f).listSettings(ListRequest.newBuilder().setRead(ReadOptions.newBuilder().setStaleOk(true))
        .build()).getSettingsList().stream().anyMatch(x -> x.getName().equals("rebalance.enabled")));
    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> cluster.admin(f)
        .setSetting(Setting.newBuilder().setName("no.such").setValue("1").build()));
    assertEquals(ErrorReason.UNKNOWN_SETTING, MogulException.from(unknown).reason());
    StatusRuntimeException notEmpty = assertThrows(StatusRuntimeException.class, () -> cluster.admin(f)
        .deleteDomain(DomainRef.newBuilder().setName("photos").build()));
    assertEquals(ErrorReason.DOMAIN_NOT_EMPTY, MogulException.from(notEmpty).reason());
  }
}
