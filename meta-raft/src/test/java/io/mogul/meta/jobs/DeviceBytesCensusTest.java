package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreTxn;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.FidRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Counting the bytes stored per device a page at a time, with the job's own moves applied at once. */
@Timeout(30)
class DeviceBytesCensusTest {
  @TempDir Path dir;
  private MetaStore store;
  private long index;
  private final DeviceBytesCensus census = new DeviceBytesCensus();

  @BeforeEach
  void open() throws Exception {
    store = MetaStore.open(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void fid(long fid, long length, Integer... devices) {
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.FIDS, Keys.u64(fid), FidRecord.newBuilder().setFid(fid).setDomain("d").setKey("k" + fid)
          .setStorageClass("default").setLength(length).addAllDeviceIds(List.of(devices)).build());
      txn.commit(AppliedPosition.newBuilder().setTerm(1).setIndex(++index).build());
    }
  }

  private Map<Integer, Long> advance(int pageSize) {
    return census.advance(new MetaView(store), pageSize);
  }

  @Test
  void totalsArePublishedOnlyOnceEveryFidWasCounted() {
    fid(1, 100, 1, 2);
    fid(2, 1_000, 2, 3);
    fid(3, 10_000, 1, 3);
    fid(4, 7, 4);
    fid(5, 50, 1, 2);
    assertNull(advance(2), "fids 1-2 counted");
    assertNull(advance(2), "fids 3-4 counted");
    assertEquals(Map.of(1, 10_150L, 2, 1_150L, 3, 11_000L, 4, 7L), advance(2));
  }

  @Test
  void nextCountPicksUpClientWritesAndTheLastTotalsStayMeanwhile() {
    fid(1, 100, 1);
    fid(2, 100, 2);
    assertEquals(Map.of(1, 100L, 2, 100L), advance(10));
    fid(3, 500, 2);
    assertEquals(Map.of(1, 100L, 2, 600L), advance(10));
    fid(4, 1, 1);
    fid(5, 1, 1);
    assertEquals(Map.of(1, 100L, 2, 600L), advance(2), "count under way: the last finished totals");
    assertEquals(Map.of(1, 100L, 2, 600L), advance(2));
    assertEquals(Map.of(1, 102L, 2, 600L), advance(2));
  }

  @Test
  void movesShowAtOnceAndAreCountedExactlyOnceByTheCountUnderWay() {
    fid(1, 100, 1);
    fid(2, 200, 1);
    fid(3, 400, 1);
    fid(4, 800, 1);
    assertEquals(Map.of(1, 1_500L), advance(10));
    assertEquals(Map.of(1, 1_500L), advance(2), "fids 1-2 of the next count done");
    // Move fid 1 (already counted) and fid 4 (not yet) from device 1 to device 2, as the job would.
    fid(1, 100, 2);
    census.moved(1, 100, 1, 2);
    fid(4, 800, 2);
    census.moved(4, 800, 1, 2);
    assertEquals(Map.of(1, 600L, 2, 900L), advance(2), "the published totals show both moves");
    assertEquals(Map.of(1, 600L, 2, 900L), advance(2), "the new count agrees: no move counted twice");
  }

  @Test
  void resetForgetsTheTotals() {
    fid(1, 100, 1);
    assertEquals(Map.of(1, 100L), advance(10));
    census.reset();
    assertNull(advance(1), "counting afresh");
  }
}
