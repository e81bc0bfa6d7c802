package io.mogul.meta.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreTxn;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.FidRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The stats' under-replicated count: exact as of its scan, rescanned only once it is too old. */
@Timeout(30)
class UnderReplicatedCountTest {
  @TempDir Path dir;
  private MetaStore store;
  private long index;
  private final AtomicLong clock = new AtomicLong(5_000);
  private final UnderReplicatedCount count = new UnderReplicatedCount(clock::get);

  @BeforeEach
  void open() throws Exception {
    store = MetaStore.open(dir);
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.CLASSES, Keys.pair("d", "default"),
          ClassRecord.newBuilder().setDomain("d").setName("default").setMindevcount(2).build());
      txn.commit(AppliedPosition.newBuilder().setTerm(1).setIndex(++index).build());
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void fid(long fid, Integer... devices) {
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.FIDS, Keys.u64(fid), FidRecord.newBuilder().setFid(fid).setDomain("d").setKey("k" + fid)
          .setStorageClass("default").setLength(10).addAllDeviceIds(List.of(devices)).build());
      txn.commit(AppliedPosition.newBuilder().setTerm(1).setIndex(++index).build());
    }
  }

  @Test
  void theCountIsReusedUntilItIsOlderThanTheMaxAgeThenRescanned() {
    fid(1, 1, 2);
    fid(2, 3);
    assertEquals(1, count.get(new MetaView(store)));
    fid(3, 4);
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(UnderReplicatedCount.MAX_AGE_MS));
    assertEquals(1, count.get(new MetaView(store)), "not older than the max age yet: no scan");
    clock.addAndGet(1);
    assertEquals(2, count.get(new MetaView(store)));
  }
}
