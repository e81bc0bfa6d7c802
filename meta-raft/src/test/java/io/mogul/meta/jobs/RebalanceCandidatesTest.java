package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreTxn;
import io.mogul.meta.store.Table;
import io.mogul.proto.DeviceState;
import io.mogul.proto.HostState;
import io.mogul.proto.ReplicationPolicy;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.HostRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Which files rebalance considers, page by page, and when "nothing movable" may be said. */
@Timeout(30)
class RebalanceCandidatesTest {
  @TempDir Path dir;
  private MetaStore store;
  private long index;
  private final RebalanceCandidates candidates = new RebalanceCandidates();

  @BeforeEach
  void open() throws Exception {
    store = MetaStore.open(dir);
    write(txn -> {
      txn.put(Table.HOSTS, Keys.u32(1), HostRecord.newBuilder().setHostId(1).setName("h1").setZone("east")
          .setState(HostState.HOST_ALIVE).build());
      txn.put(Table.HOSTS, Keys.u32(2), HostRecord.newBuilder().setHostId(2).setName("h2").setZone("west")
          .setState(HostState.HOST_ALIVE).build());
      for (int d = 1; d <= 3; d++) {
        txn.put(Table.DEVICES, Keys.u32(d), DeviceRecord.newBuilder().setDeviceId(d).setHostId(d == 1 ? 1 : 2)
            .setState(DeviceState.DEVICE_ALIVE).setWeight(100).build());
      }
      txn.put(Table.CLASSES, Keys.pair("d", "default"), ClassRecord.newBuilder().setDomain("d").setName("default")
          .setMindevcount(2).setPolicy(ReplicationPolicy.ZONE_AWARE).build());
    });
  }

  @AfterEach
  void close() {
    store.close();
  }

  private interface Writes {
    void to(StoreTxn txn);
  }

  private void write(Writes writes) {
    try (StoreTxn txn = store.begin()) {
      writes.to(txn);
      txn.commit(AppliedPosition.newBuilder().setTerm(1).setIndex(++index).build());
    }
  }

  private void fids(int count, String storageClass, Integer... devices) {
    write(txn -> {
      for (int i = 0; i < count; i++) {
        long fid = 1 + new MetaView(store).count(Table.FIDS) + i;
        txn.put(Table.FIDS, Keys.u64(fid), FidRecord.newBuilder().setFid(fid).setDomain("d").setKey("k" + fid)
            .setStorageClass(storageClass).setLength(fid * 10).addAllDeviceIds(List.of(devices)).build());
      }
    });
  }

  private List<RebalancePlan.FileCopies> next(Set<Integer> sources, int pageSize) {
    return candidates.next(new MetaView(store), sources, pageSize);
  }

  @Test
  void onlyFilesWithACopyOnASourceComeWithTheHostsZonesAndPolicyOfEveryCopy() {
    fids(1, "default", 1, 2);
    fids(1, "default", 2, 3);
    fids(1, "gone", 1, 3);
    List<RebalancePlan.FileCopies> files = next(Set.of(1), 10);
    assertEquals(1, files.size(), files.toString());
    RebalancePlan.FileCopies f = files.get(0);
    assertEquals(1, f.fid());
    assertEquals(10, f.length());
    assertEquals(List.of(1, 2), f.deviceIds());
    assertEquals(List.of(1, 2), f.hostIds());
    assertEquals(List.of("east", "west"), f.zones());
    assertEquals(ReplicationPolicy.ZONE_AWARE, f.policy());
    assertEquals(2, next(Set.of(2), 10).size(), "a file of a class that no longer exists is left out");
  }

  @Test
  void tableWithinOnePageIsCoveredByOneFruitlessPage() {
    fids(5, "default", 1);
    next(Set.of(1), 10);
    assertTrue(candidates.fruitless());
  }

  @Test
  void nothingMovableOnlyOnceFruitlessPagesCoveredEveryFid() {
    fids(5, "default", 1);
    assertEquals(2, next(Set.of(1), 2).size(), "fids 1-2");
    candidates.progressed();
    assertEquals(2, next(Set.of(1), 2).size(), "fids 3-4");
    assertFalse(candidates.fruitless(), "fids 1-2 gave moves");
    assertEquals(1, next(Set.of(1), 2).size(), "fid 5, the end");
    assertFalse(candidates.fruitless(), "fids 1-2 not looked at again yet");
    assertEquals(List.of(1L, 2L), next(Set.of(1), 2).stream().map(RebalancePlan.FileCopies::fid).toList());
    assertTrue(candidates.fruitless(), "3-4, 5 and 1-2: every fid without a move");
    assertEquals(2, next(Set.of(1), 2).size());
    assertFalse(candidates.fruitless(), "a new turn starts after it was reported");
  }

  @Test
  void aPageWithMovesStartsTheTurnOver() {
    fids(4, "default", 1);
    next(Set.of(1), 2);
    assertFalse(candidates.fruitless());
    next(Set.of(1), 2);
    candidates.progressed();
    next(Set.of(1), 2);
    assertFalse(candidates.fruitless(), "the end of the table, but 3-4 gave moves since 1-2 was fruitless");
    next(Set.of(1), 2);
    assertFalse(candidates.fruitless());
    next(Set.of(1), 2);
    assertTrue(candidates.fruitless());
  }
}
