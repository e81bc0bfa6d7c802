package io.mogul.meta.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreTxn;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.HostState;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PlacementTest {
  static final long SEED = 42;
  @TempDir Path dir;
  MetaStore store;
  long now = 100_000;
  DeviceObservations observations;
  Placement placement;
  MetaView view;

  @BeforeEach
  void setUp() throws Exception {
    store = MetaStore.open(dir);
    observations = new DeviceObservations(5_000, () -> now);
    placement = new Placement(observations, new Random(SEED));
    view = new MetaView(store);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  /** hosts[i] = zone of host i+1; each host gets devicesPerHost devices numbered host*10+n. */
  private void cluster(String[] zones, int devicesPerHost) {
    try (StoreTxn txn = store.begin()) {
      for (int h = 1; h <= zones.length; h++) {
        txn.put(Table.HOSTS, Keys.u32(h), HostRecord.newBuilder().setHostId(h).setName("h" + h)
            .setAddress("h" + h + ":1").setZone(zones[h - 1]).setState(HostState.HOST_ALIVE).build());
        HeartbeatRequest.Builder hb = HeartbeatRequest.newBuilder().setHostId(h);
        for (int n = 1; n <= devicesPerHost; n++) {
          int id = h * 10 + n;
          txn.put(Table.DEVICES, Keys.u32(id), DeviceRecord.newBuilder().setDeviceId(id).setHostId(h)
              .setState(DeviceState.DEVICE_ALIVE).setWeight(100).build());
          hb.addDevices(DeviceReport.newBuilder().setDeviceId(id).setCapacityBytes(1000).setUsedBytes(100).setHealthy(true));
        }
        observations.record(hb.build());
      }
      txn.commit(AppliedPosition.newBuilder().setIndex(1).build());
    }
  }

  private void setDevice(int id, DeviceState state) {
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.DEVICES, Keys.u32(id), view.device(id).toBuilder().setState(state).build());
      txn.commit(AppliedPosition.newBuilder().setIndex(2).build());
    }
  }

  private static ClassRecord cls(ReplicationPolicy policy, int mindevcount) {
    return ClassRecord.newBuilder().setDomain("d").setName("c").setPolicy(policy).setMindevcount(mindevcount).build();
  }

  private static int host(int deviceId) {
    return deviceId / 10;
  }

  @Test
  void multipleHostsPutsCopiesOnDistinctHostsThenSpares() {
    cluster(new String[] {"", "", ""}, 2);
    for (int i = 0; i < 50; i++) {
      List<Integer> ids = placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 2), -1, List.of(), 2);
      assertEquals(4, ids.size(), "seed " + SEED);
      assertTrue(host(ids.get(0)) != host(ids.get(1)), "seed " + SEED + ": " + ids);
      assertEquals(4, new HashSet<>(ids).size());
    }
  }

  @Test
  void zoneAwareSpreadsAcrossZonesFirst() {
    cluster(new String[] {"a", "a", "b", "b"}, 1);
    for (int i = 0; i < 50; i++) {
      List<Integer> ids = placement.choose(view, cls(ReplicationPolicy.ZONE_AWARE, 2), -1, List.of(), 2);
      String z0 = view.host(host(ids.get(0))).getZone();
      String z1 = view.host(host(ids.get(1))).getZone();
      assertTrue(!z0.equals(z1), "seed " + SEED + ": " + ids);
    }
  }

  @Test
  void multipleDevicesMayRepeatHosts() {
    cluster(new String[] {""}, 3);
    List<Integer> ids = placement.choose(view, cls(ReplicationPolicy.MULTIPLE_DEVICES, 3), -1, List.of(), 3);
    assertEquals(3, new HashSet<>(ids).size());
  }

  @Test
  void unwritableDevicesAreSkipped() {
    cluster(new String[] {"", "", ""}, 1);
    setDevice(11, DeviceState.DEVICE_READONLY);
    setDevice(21, DeviceState.DEVICE_DEAD);
    for (int i = 0; i < 20; i++) {
      assertEquals(List.of(31), placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 2), -1, List.of(), 2));
    }
    assertThrows(MogulException.class,
        () -> placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 2), -1, List.of(31), 2));
  }

  @Test
  void fullUnreachableAndTooSmallDevicesAreNotWritable() {
    cluster(new String[] {"", ""}, 1);
    observations.record(HeartbeatRequest.newBuilder().setHostId(1).addDevices(DeviceReport.newBuilder()
        .setDeviceId(11).setCapacityBytes(1000).setHealthy(true).setFull(true)).build());
    assertEquals(List.of(21), placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 1), -1, List.of(), 1));
    MogulException e = assertThrows(MogulException.class,
        () -> placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 1), 5000, List.of(), 1));
    assertEquals(ErrorReason.NO_WRITABLE_DEVICE, e.reason());
    now += 10_000;
    e = assertThrows(MogulException.class,
        () -> placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 1), -1, List.of(), 1));
    assertEquals(ErrorReason.NO_WRITABLE_DEVICE, e.reason());
  }

  @Test
  void deviceReportedUnhealthyIsNotWrittenAndReadLast() {
    cluster(new String[] {"", ""}, 1);
    observations.record(HeartbeatRequest.newBuilder().setHostId(1).addDevices(DeviceReport.newBuilder()
        .setDeviceId(11).setCapacityBytes(1000).setHealthy(false).setError("read failed: Is a directory")).build());
    for (int i = 0; i < 20; i++) {
      assertEquals(List.of(21), placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 1), -1, List.of(), 1));
    }
    assertEquals(List.of(21, 11), placement.orderForRead(view, List.of(11, 21)));
  }

  @Test
  void emptierDevicesAreChosenMoreOften() {
    cluster(new String[] {"", ""}, 1);
    observations.record(HeartbeatRequest.newBuilder().setHostId(1).addDevices(DeviceReport.newBuilder()
        .setDeviceId(11).setCapacityBytes(1000).setUsedBytes(900).setHealthy(true)).build());
    int emptyFirst = 0;
    for (int i = 0; i < 200; i++) {
      if (placement.choose(view, cls(ReplicationPolicy.MULTIPLE_HOSTS, 1), -1, List.of(), 1).get(0) == 21) {
        emptyFirst++;
      }
    }
    assertTrue(emptyFirst > 150, "seed " + SEED + ": emptier device first " + emptyFirst + "/200");
  }

  @Test
  void readOrderPutsUnreachableLastAndSkipsDownDevices() {
    cluster(new String[] {"", "", ""}, 1);
    setDevice(21, DeviceState.DEVICE_DOWN);
    now += 3_000;
    observations.record(HeartbeatRequest.newBuilder().setHostId(3).addDevices(DeviceReport.newBuilder()
        .setDeviceId(31).setCapacityBytes(1000).setHealthy(true).setIoLoad(0.1)).build());
    now += 3_000;  // device 11's last heartbeat is now too old
    assertFalse(observations.reachable(11));
    assertEquals(List.of(31, 11), placement.orderForRead(view, List.of(11, 21, 31)));
    Set<Integer> none = Set.of();
    assertEquals(List.of(), placement.orderForRead(view, List.copyOf(none)));
  }
}
