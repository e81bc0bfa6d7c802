package io.mogul.meta.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.FileTally;
import io.mogul.proto.meta.HostRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transaction's read cache and the store's per-commit memos never show stale state. */
class StoreCachesTest {
  @TempDir Path dir;
  MetaStore store;
  long index;

  @BeforeEach
  void open() throws Exception {
    store = MetaStore.open(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static byte[] b(String s) {
    return Keys.utf8(s);
  }

  private void commit(StoreTxn txn) {
    txn.commit(AppliedPosition.newBuilder().setTerm(1).setIndex(++index).build());
  }

  @Test
  void theAppliedPositionFollowsEachCommitAndIsReadBackAfterReopening() throws Exception {
    assertEquals(AppliedPosition.getDefaultInstance(), store.appliedPosition());
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.SETTINGS, b("a"), b("1"));
      commit(txn);
    }
    assertEquals(1, store.appliedPosition().getIndex());
    try (StoreTxn txn = store.begin()) {
      // A transaction closed without commit leaves the position where it was.
      txn.put(Table.SETTINGS, b("a"), b("2"));
    }
    assertEquals(1, store.appliedPosition().getIndex());
    try (StoreTxn txn = store.begin()) {
      commit(txn);
    }
    assertEquals(AppliedPosition.newBuilder().setTerm(1).setIndex(2).build(), store.appliedPosition());
    store.close();
    store = MetaStore.open(dir);
    assertEquals(AppliedPosition.newBuilder().setTerm(1).setIndex(2).build(), store.appliedPosition());
  }

  @Test
  void aTransactionReadsItsOwnWritesAndDeletesAfterReadingTheOldValue() {
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.SETTINGS, b("a"), b("1"));
      commit(txn);
    }
    try (StoreTxn txn = store.begin()) {
      assertArrayEquals(b("1"), txn.get(Table.SETTINGS, b("a")));
      assertNull(txn.get(Table.SETTINGS, b("b")));
      txn.put(Table.SETTINGS, b("a"), b("2"));
      txn.put(Table.SETTINGS, b("b"), b("3"));
      assertArrayEquals(b("2"), txn.get(Table.SETTINGS, b("a")));
      assertArrayEquals(b("3"), txn.get(Table.SETTINGS, b("b")));
      txn.delete(Table.SETTINGS, b("a"));
      assertNull(txn.get(Table.SETTINGS, b("a")));
      assertNull(txn.get(Table.DOMAINS, b("b")), "same key in another table is another record");
    }
  }

  @Test
  void rollingBackACommandForgetsWhatItWroteEvenAfterItWasRead() {
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.SETTINGS, b("a"), b("kept"));
      txn.mark();
      txn.put(Table.SETTINGS, b("a"), b("undone"));
      txn.put(Table.SETTINGS, b("b"), b("undone"));
      assertArrayEquals(b("undone"), txn.get(Table.SETTINGS, b("a")));
      txn.rollback();
      assertOnlyA(txn, "kept");
      commit(txn);
    }
    assertOnlyA(store, "kept");
  }

  /** Record a holds {@code value} and record b nothing. */
  private static void assertOnlyA(KvReader kv, String value) {
    assertArrayEquals(b(value), kv.get(Table.SETTINGS, b("a")));
    assertNull(kv.get(Table.SETTINGS, b("b")));
  }

  private static List<String> scanned(KvReader kv, String prefix) {
    return scanned(kv, prefix, null);
  }

  private static List<String> scanned(KvReader kv, String prefix, String start) {
    List<String> out = new java.util.ArrayList<>();
    kv.scan(Table.SETTINGS, b(prefix), start == null ? null : b(start),
        (k, v) -> out.add(Keys.string(k) + "=" + Keys.string(v)));
    return out;
  }

  @Test
  void aScanMergesTheTransactionsWritesAndDeletesWithTheCommittedRecordsInKeyOrder() {
    try (StoreTxn txn = store.begin()) {
      for (String k : List.of("p/a", "p/c", "p/e", "q/a")) {
        txn.put(Table.SETTINGS, b(k), b("old"));
      }
      commit(txn);
    }
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.SETTINGS, b("p/b"), b("new"));
      txn.delete(Table.SETTINGS, b("p/c"));
      txn.put(Table.SETTINGS, b("p/e"), b("new"));
      txn.put(Table.SETTINGS, b("p/f"), b("new"));
      txn.put(Table.SETTINGS, b("o/z"), b("new"));
      List<String> expected = List.of("p/a=old", "p/b=new", "p/e=new", "p/f=new");
      assertEquals(expected, scanned(txn, "p/"));
      txn.mark();
      txn.put(Table.SETTINGS, b("p/c"), b("again"));
      txn.delete(Table.SETTINGS, b("p/a"));
      txn.put(Table.SETTINGS, b("p/d"), b("new"));
      assertEquals(List.of("p/c=again", "p/d=new", "p/e=new", "p/f=new"), scanned(txn, "p/", "p/c"), "from a start key");
      txn.rollback();
      assertEquals(expected, scanned(txn, "p/"), "the rolled-back command's writes are gone");
      List<String> stopped = new java.util.ArrayList<>();
      txn.scan(Table.SETTINGS, b("p/"), null, (k, v) -> stopped.add(Keys.string(k)) && stopped.size() < 2);
      assertEquals(List.of("p/a", "p/b"), stopped, "the visitor stops the scan");
      commit(txn);
    }
    assertEquals(List.of("p/a=old", "p/b=new", "p/e=new", "p/f=new"), scanned(store, "p/"));
    assertEquals(List.of("q/a=old"), scanned(store, "q/"));
  }

  @Test
  void nestedMarksUndoOnlyTheirOwnWritesAndTheOuterRollbackUndoesBoth() {
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.SETTINGS, b("a"), b("0"));
      txn.mark();
      txn.put(Table.SETTINGS, b("a"), b("1"));
      txn.mark();
      txn.put(Table.SETTINGS, b("a"), b("2"));
      txn.rollback();
      assertArrayEquals(b("1"), txn.get(Table.SETTINGS, b("a")));
      txn.mark();
      txn.put(Table.SETTINGS, b("b"), b("2"));
      txn.release();
      txn.rollback();
      assertOnlyA(txn, "0");
      commit(txn);
    }
    assertOnlyA(store, "0");
  }

  @Test
  void theDeviceListOfTheStoreChangesWithTheNextCommit() {
    MetaView view = new MetaView(store);
    assertEquals(List.of(), view.devices());
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.DEVICES, Keys.u32(1), DeviceRecord.newBuilder().setDeviceId(1).setWeight(5).build());
      assertEquals(List.of(), view.devices(), "nothing committed yet");
      commit(txn);
    }
    assertEquals(5, view.devices().get(0).getWeight());
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.DEVICES, Keys.u32(1), DeviceRecord.newBuilder().setDeviceId(1).setWeight(6).build());
      commit(txn);
    }
    assertEquals(6, view.devices().get(0).getWeight());
    view.devices().clear(); // callers get their own list
    assertEquals(1, view.devices().size());
  }

  @Test
  void aDeviceOrHostLookedUpByIdChangesWithTheNextCommit() {
    MetaView view = new MetaView(store);
    assertNull(view.device(1));
    assertNull(view.host(7));
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.DEVICES, Keys.u32(1), DeviceRecord.newBuilder().setDeviceId(1).setHostId(7).setWeight(5).build());
      txn.put(Table.HOSTS, Keys.u32(7), HostRecord.newBuilder().setHostId(7).setName("h").build());
      assertNull(view.device(1), "nothing committed yet");
      assertEquals(5, new MetaView(txn).device(1).getWeight(), "the transaction sees its own write");
      commit(txn);
    }
    assertEquals(5, view.device(1).getWeight());
    assertEquals("h", view.host(7).getName());
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.DEVICES, Keys.u32(1), DeviceRecord.newBuilder().setDeviceId(1).setHostId(7).setWeight(6).build());
      txn.delete(Table.HOSTS, Keys.u32(7));
      commit(txn);
    }
    assertEquals(6, view.device(1).getWeight());
    assertNull(view.host(7));
  }

  @Test
  void recordsLookedUpFromOneTableOutliveCommitsThatLeaveThatTableAlone() {
    MetaView view = new MetaView(store);
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.DEVICES, Keys.u32(1), DeviceRecord.newBuilder().setDeviceId(1).setWeight(5).build());
      txn.put(Table.DOMAINS, b("d"), DomainRecord.newBuilder().setName("d").build());
      txn.put(Table.CLASSES, Keys.pair("d", "c"), ClassRecord.newBuilder().setDomain("d").setName("c").build());
      commit(txn);
    }
    DeviceRecord device = view.device(1);
    DomainRecord domain = view.domain("d");
    ClassRecord storageClass = view.storageClass("d", "c");
    List<DeviceRecord> devices = view.devices();
    // A file write: its record and the tallies change, the admin records do not.
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.FILES, Keys.pair("d", "k"), FileRecord.newBuilder().setFid(1).build());
      txn.put(Table.COUNTS, Keys.domainTally("d"), FileTally.newBuilder().setFileCount(1).build());
      commit(txn);
    }
    assertSame(device, view.device(1));
    assertSame(domain, view.domain("d"));
    assertSame(storageClass, view.storageClass("d", "c"));
    assertSame(devices.get(0), view.devices().get(0));
    assertEquals(1, view.tally(domain).getFileCount());
    try (StoreTxn txn = store.begin()) {
      txn.put(Table.DEVICES, Keys.u32(1), DeviceRecord.newBuilder().setDeviceId(1).setWeight(6).build());
      txn.put(Table.CLASSES, Keys.pair("d", "c"), storageClass.toBuilder().setMindevcount(3).build());
      commit(txn);
    }
    assertEquals(6, view.device(1).getWeight());
    assertEquals(6, view.devices().get(0).getWeight());
    assertEquals(3, view.storageClass("d", "c").getMindevcount());
    assertSame(domain, view.domain("d"), "the domains were not written");
    assertNull(view.domain("e"));
    assertNull(view.storageClass("d", "other"));
  }
}
