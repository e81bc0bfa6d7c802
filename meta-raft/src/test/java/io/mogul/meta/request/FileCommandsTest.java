package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.StoreTxn;
import io.mogul.meta.store.Table;
import io.mogul.proto.AttributeMode;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FileKey;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.SetAttributesRequest;
import io.mogul.proto.UpdateFileClassRequest;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.DomainRecord;
import io.mogul.proto.meta.OpenUpload;
import io.mogul.meta.store.StoreDump;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FileCommandsTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new Fixture(dir, 3);
    f.domain("d");
    f.host("h1", "", 1);
    f.host("h2", "", 1);
    f.host("h3", "", 1);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static FileKey key(String k) {
    return FileKey.newBuilder().setDomain("d").setKey(k).build();
  }

  @Test
  void openIsHeldByTheLeaderWithExpiryAndDistinctHostsAndLogsNothing() {
    f.open("d", "first");   // reserves the leader's first fid range through the log
    Map<String, String> before = StoreDump.of(f.store, false);
    OpenUpload open = f.open("d", "k");
    assertEquals(f.now + f.expiryMs, open.getExpiresAtMs());
    assertEquals("default", open.getStorageClass());
    assertEquals(3, open.getDeviceIdsCount(), "2 for mindevcount plus spares");
    assertEquals(before, StoreDump.of(f.store, false), "an open changes no replicated state");
    assertEquals(open, CreateClose.prepare(f.closeOf(open, 1).build(), f).getUpload(),
        "the close carries the held upload into its log entry");
    var response = CreateOpen.response(f.view(), open);
    assertEquals(2, response.getMindevcount());
    assertTrue(response.getDevices(0).getAddress().endsWith(":7500"));
  }

  @Test
  void openErrors() {
    f.rejects(ErrorReason.UNKNOWN_DOMAIN, ctx -> CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("x").setKey("k").build(), ctx));
    f.rejects(ErrorReason.UNKNOWN_CLASS, ctx -> CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("k")
        .setStorageClass("nope").build(), ctx));
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("").build(), ctx));
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("a\0b").build(), ctx));
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("x".repeat(1025)).build(), ctx));
    f.rejects(ErrorReason.NO_WRITABLE_DEVICE, ctx -> CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("k")
        .setSizeHint(2L << 30).build(), ctx));
  }

  @Test
  void closeAfterTheDomainWasDeletedFails() {
    OpenUpload open = f.open("d", "k");
    f.ok(DeleteDomain.prepare(io.mogul.proto.DomainRef.newBuilder().setName("d").build(), f));
    f.fails(ErrorReason.UNKNOWN_DOMAIN, CreateClose.prepare(f.closeOf(open, 1).build(), f));
  }

  @Test
  void openRecordedByAnOlderLogEntryCanStillBeClosedOrExpire() {
    f.expiryMs = 8_000;  // within the heartbeat timeout, so the devices stay writable
    OpenUpload recorded = CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("k").build(), f);
    OpenUpload other = CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("k2").build(), f);
    f.ok(Command.newBuilder().setTimeMs(f.now).setCreateOpen(recorded).build());
    f.ok(Command.newBuilder().setTimeMs(f.now).setCreateOpen(other).build());
    assertNotNull(f.view().upload(recorded.getFid()));
    Command close = CreateClose.prepare(f.closeOf(recorded, 5).build(), f);
    assertFalse(close.hasUpload(), "the leader holds no upload it did not issue");
    assertEquals(recorded.getFid(), f.ok(close).getFile().getFid());
    assertNull(f.view().upload(recorded.getFid()));
    f.now += f.expiryMs;
    assertEquals(1, f.ok(ExpireUploads.prepare(f.now, List.of())).getExpired().getCount());
    assertNull(f.view().upload(other.getFid()));
    assertEquals(other.getDeviceIdsList(), f.view().deletion(other.getFid()).getDeviceIdsList());
  }

  @Test
  void closeBindsKeyAndRecordsEverything() {
    OpenUpload open = f.open("d", "k");
    FileInfo info = f.ok(CreateClose.prepare(f.closeOf(open, 42).setContentType("image/png")
        .putAttributes("width", "1024").build(), f)).getFile();
    assertEquals(open.getFid(), info.getFid());
    assertEquals(42, info.getLength());
    assertEquals(0x1234, info.getCrc32C());
    assertEquals("image/png", info.getContentType());
    assertEquals(Map.of("width", "1024"), info.getAttributesMap());
    assertEquals(2, info.getLocationsCount());
    assertEquals(f.now, info.getCreatedMs());
    assertNull(f.view().upload(open.getFid()));
    assertEquals(1, f.view().tally(f.view().domain("d")).getFileCount());
    assertEquals(42, f.view().tally(f.view().storageClass("d", "default")).getByteCount());
  }

  @Test
  void aFileWriteCountsInTalliesAndLeavesTheDomainClassAndDeviceRecordsAlone() {
    DomainRecord domain = f.view().domain("d");
    ClassRecord storageClass = f.view().storageClass("d", "default");
    List<DeviceRecord> devices = f.view().devices();
    FileInfo info = f.put("d", "k", 42);
    assertEquals(domain, f.view().domain("d"));
    assertEquals(storageClass, f.view().storageClass("d", "default"));
    assertEquals(devices, f.view().devices());
    for (DeviceLocation copy : info.getLocationsList()) {
      assertEquals(1, f.view().tally(f.view().device(copy.getDeviceId())).getFileCount());
    }
    f.ok(DeleteFile.prepare(key("k"), f));
    assertEquals(0, f.view().tally(domain).getFileCount());
    assertEquals(0, f.view().tally(storageClass).getByteCount());
  }

  @Test
  void countsThatRecordsHeldBeforeTalliesExistedCarryOn() {
    // A store written before tallies kept each domain's and class's counts in its record.
    try (StoreTxn txn = f.store.begin()) {
      txn.put(Table.DOMAINS, Keys.utf8("d"),
          f.view().domain("d").toBuilder().setFileCount(5).setByteCount(500).build());
      txn.put(Table.CLASSES, Keys.pair("d", "default"),
          f.view().storageClass("d", "default").toBuilder().setFileCount(5).setByteCount(500).build());
      txn.commit(AppliedPosition.newBuilder().setTerm(1).setIndex(++f.index).build());
    }
    assertEquals(5, f.view().tally(f.view().domain("d")).getFileCount());
    f.put("d", "k", 42);
    assertEquals(6, f.view().tally(f.view().domain("d")).getFileCount());
    assertEquals(542, f.view().tally(f.view().storageClass("d", "default")).getByteCount());
    f.fails(ErrorReason.DOMAIN_NOT_EMPTY, DeleteDomain.prepare(DomainRef.newBuilder().setName("d").build(), f));
  }

  @Test
  void aReplicaThatDoesNotAnswerEndsInTheSameStateAndGivesNoFileDetails(@TempDir Path other) throws Exception {
    try (MetaStore replica = MetaStore.open(other)) {
      // The replica starts from the same state: the fixture's setup, copied record by record.
      try (StoreTxn txn = replica.begin()) {
        for (Table t : Table.values()) {
          f.store.scan(t, new byte[0], null, (k, v) -> {
            txn.put(t, k, v);
            return true;
          });
        }
        txn.commit(f.store.appliedPosition());
      }
      f.follower = new CommandApplier(replica);
      OpenUpload open = f.open("d", "k");
      Command close = CreateClose.prepare(f.closeOf(open, 42).build(), f);
      assertEquals(42, f.ok(close).getFile().getLength(), "the answering replica gives the details");
      f.ok(close);
      f.put("d", "k", 7);
      f.ok(RenameFile.prepare(RenameRequest.newBuilder().setDomain("d").setFromKey("k").setToKey("k2")
          .setRequestId("r1").build(), f));
      f.ok(DeleteFile.prepare(key("k2"), f));
      assertEquals(StoreDump.of(f.store, true), StoreDump.of(replica, true));
      // One more close, applied by hand to see each replica's own result.
      f.follower = null;
      LogEntry entry = LogEntry.newBuilder().addCommands(CreateClose.prepare(
          f.closeOf(f.open("d", "k3"), 5).build(), f)).build();
      AppliedPosition next = AppliedPosition.newBuilder().setTerm(1).setIndex(++f.index).build();
      assertEquals(5, f.applier.apply(entry, next).getResults(0).getFile().getLength());
      CommandResult silent = new CommandApplier(replica).apply(entry, next, false).getResults(0);
      assertFalse(silent.hasFile() || silent.hasError(), silent.toString());
      assertEquals(StoreDump.of(f.store, true), StoreDump.of(replica, true));
    }
  }

  @Test
  void closeIsIdempotent() {
    OpenUpload open = f.open("d", "k");
    Command close = CreateClose.prepare(f.closeOf(open, 42).build(), f);
    FileInfo first = f.ok(close).getFile();
    FileInfo again = f.ok(close).getFile();
    assertEquals(first, again);
    assertEquals(1, f.view().tally(f.view().domain("d")).getFileCount());
  }

  @Test
  void closeReplacesOlderVersionAndQueuesItForDeletion() {
    FileInfo v1 = f.put("d", "k", 10);
    FileInfo v2 = f.put("d", "k", 20);
    assertTrue(v2.getFid() != v1.getFid());
    assertNotNull(f.view().deletion(v1.getFid()));
    assertEquals(2, f.view().deletion(v1.getFid()).getDeviceIdsCount());
    assertNull(f.view().fid(v1.getFid()));
    assertEquals(1, f.view().tally(f.view().domain("d")).getFileCount());
    assertEquals(20, f.view().tally(f.view().domain("d")).getByteCount());
  }

  @Test
  void closeErrors() {
    OpenUpload open = f.open("d", "k");
    f.fails(ErrorReason.UPLOAD_EXPIRED, CreateClose.prepare(f.closeOf(open, 1).setFid(999_999).build(), f));
    f.fails(ErrorReason.FID_MISMATCH, CreateClose.prepare(f.closeOf(open, 1).setKey("other").build(), f));
    f.fails(ErrorReason.UNKNOWN_DEVICE, CreateClose.prepare(f.closeOf(open, 1).addDeviceIds(77).build(), f));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateClose.prepare(f.closeOf(open, -1).build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateClose.prepare(f.closeOf(open, 1).clearDeviceIds().build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateClose.prepare(f.closeOf(open, 1).putAttributes("", "v").build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateClose.prepare(f.closeOf(open, 1).putAttributes("a", "v".repeat(257)).build(), ctx));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> CreateClose.prepare(f.closeOf(open, 1).setFid(0).build(), ctx));
    FileInfo closed = f.ok(CreateClose.prepare(f.closeOf(open, 1).build(), f)).getFile();
    // The fid now belongs to d/k: closing it for another key is a mismatch.
    f.fails(ErrorReason.FID_MISMATCH, CreateClose.prepare(f.closeOf(open, 1).setKey("other").build(), f));
    assertEquals(open.getFid(), closed.getFid());
  }

  @Test
  void expiredUploadCannotBeClosedAndGoesToDeletionQueue() {
    f.expiryMs = 8_000;  // within the heartbeat timeout, so the devices stay writable
    OpenUpload open = f.open("d", "k");
    f.now += f.expiryMs / 2;
    OpenUpload fresh = f.open("d", "k2");
    f.now += f.expiryMs / 2;
    assertEquals(1, f.ok(ExpireUploads.prepare(f.now, expiredHeld())).getExpired().getCount());
    assertEquals(open.getDeviceIdsList(), f.view().deletion(open.getFid()).getDeviceIdsList());
    assertNull(f.view().deletion(fresh.getFid()));
    f.fails(ErrorReason.UPLOAD_EXPIRED, CreateClose.prepare(f.closeOf(open, 1).build(), f));
    f.ok(CreateClose.prepare(f.closeOf(fresh, 1).build(), f));
  }

  @Test
  void closePreparedInTimeButOrderedAfterTheExpiryFails() {
    f.expiryMs = 8_000;
    OpenUpload open = f.open("d", "k");
    Command close = CreateClose.prepare(f.closeOf(open, 1).build(), f);
    f.now += f.expiryMs;
    f.ok(ExpireUploads.prepare(f.now, expiredHeld()));
    f.fails(ErrorReason.UPLOAD_EXPIRED, close);
    assertNull(f.view().file("d", "k"));
  }

  @Test
  void expiryOrderedAfterTheCloseLeavesTheFileAlone() {
    f.expiryMs = 8_000;
    OpenUpload open = f.open("d", "k");
    Command close = CreateClose.prepare(f.closeOf(open, 1).build(), f);
    f.now += f.expiryMs;
    Command expire = ExpireUploads.prepare(f.now, expiredHeld());
    f.ok(close);
    assertEquals(0, f.ok(expire).getExpired().getCount());
    assertNull(f.view().deletion(open.getFid()));
    assertEquals(open.getFid(), f.view().file("d", "k").getFid());
  }

  @Test
  void closeLateByTheClockInItsCommandFails() {
    f.expiryMs = 8_000;
    OpenUpload open = f.open("d", "k");
    f.now += f.expiryMs + 1;
    f.fails(ErrorReason.UPLOAD_EXPIRED, CreateClose.prepare(f.closeOf(open, 1).build(), f));
  }

  @Test
  void repeatedCloseOfAReplacedOrDeletedVersionAnswersAsTheFirstUntilForgotten() {
    OpenUpload v1 = f.open("d", "k");
    Command held = CreateClose.prepare(f.closeOf(v1, 1).build(), f);
    FileInfo first = f.ok(held).getFile();
    f.held.remove(v1.getFid());
    Command notHeld = CreateClose.prepare(f.closeOf(v1, 1).build(), f);
    f.put("d", "k", 2);
    assertEquals(first, f.ok(held).getFile(), "a retry at the same leader");
    assertEquals(first, f.ok(notHeld).getFile(), "a retry at a new leader");
    assertNotEquals(v1.getFid(), f.view().file("d", "k").getFid(), "the retries changed nothing");
    FileInfo gone = f.put("d", "gone", 3);
    f.ok(DeleteFile.prepare(key("gone"), f));
    OpenUpload goneUpload = OpenUpload.newBuilder().setFid(gone.getFid()).setDomain("d").setKey("gone")
        .addAllDeviceIds(List.of(gone.getLocations(0).getDeviceId(), gone.getLocations(1).getDeviceId())).build();
    Command retry = CreateClose.prepare(f.closeOf(goneUpload, 3).build(), f);
    assertEquals(gone.getFid(), f.ok(retry).getFile().getFid());
    assertNull(f.view().file("d", "gone"), "the retry did not bring the deleted file back");
    f.now += RememberedRequests.REMEMBER_MS + 1;
    f.ok(ExpireUploads.prepare(f.now, List.of()));
    f.fails(ErrorReason.UPLOAD_EXPIRED, CreateClose.prepare(f.closeOf(v1, 1).build(), f));
  }

  /** The held uploads whose expiry passed, as the leader lists them in ExpireUploads. */
  private List<OpenUpload> expiredHeld() {
    return f.held.values().stream().filter(u -> u.getExpiresAtMs() <= f.now).toList();
  }

  @Test
  void deleteQueuesBlobs() {
    FileInfo info = f.put("d", "k", 10);
    f.ok(DeleteFile.prepare(key("k"), f));
    assertNull(f.view().file("d", "k"));
    assertNull(f.view().fid(info.getFid()));
    assertNotNull(f.view().deletion(info.getFid()));
    assertEquals(0, f.view().tally(f.view().domain("d")).getFileCount());
    f.fails(ErrorReason.UNKNOWN_KEY, DeleteFile.prepare(key("k"), f));
    f.fails(ErrorReason.UNKNOWN_DOMAIN, DeleteFile.prepare(FileKey.newBuilder().setDomain("x").setKey("k").build(), f));
  }

  @Test
  void renameMovesKeyAndRefusesExistingTarget() {
    FileInfo a = f.put("d", "a", 1);
    f.put("d", "b", 2);
    f.fails(ErrorReason.KEY_EXISTS, RenameFile.prepare(RenameRequest.newBuilder().setDomain("d").setFromKey("a").setToKey("b").build(), f));
    f.fails(ErrorReason.UNKNOWN_KEY, RenameFile.prepare(RenameRequest.newBuilder().setDomain("d").setFromKey("zz").setToKey("c").build(), f));
    f.rejects(ErrorReason.INVALID_NAME, ctx -> RenameFile.prepare(RenameRequest.newBuilder().setDomain("d").setFromKey("a").setToKey("").build(), ctx));
    f.ok(RenameFile.prepare(RenameRequest.newBuilder().setDomain("d").setFromKey("a").setToKey("c").build(), f));
    assertNull(f.view().file("d", "a"));
    assertEquals(a.getFid(), f.view().file("d", "c").getFid());
    assertEquals("c", f.view().fid(a.getFid()).getKey());
  }

  @Test
  void aRetriedRenameOrDeleteWithTheSameRequestIdGetsTheFirstAnswer() {
    FileInfo a = f.put("d", "a", 1);
    f.put("d", "b", 2);
    RenameRequest rename = RenameRequest.newBuilder().setDomain("d").setFromKey("a").setToKey("c")
        .setRequestId("rename-1").build();
    f.ok(RenameFile.prepare(rename, f));
    // The answer was lost and the client retries: same id, same answer, nothing applied twice.
    f.ok(RenameFile.prepare(rename, f));
    assertEquals(a.getFid(), f.view().file("d", "c").getFid());
    assertNull(f.view().file("d", "a"));
    // A new call (new id) is applied afresh.
    f.fails(ErrorReason.UNKNOWN_KEY, RenameFile.prepare(rename.toBuilder().setRequestId("rename-2").build(), f));

    FileKey delete = FileKey.newBuilder().setDomain("d").setKey("b").setRequestId("delete-1").build();
    f.ok(DeleteFile.prepare(delete, f));
    f.ok(DeleteFile.prepare(delete, f));
    f.fails(ErrorReason.UNKNOWN_KEY, DeleteFile.prepare(delete.toBuilder().setRequestId("delete-2").build(), f));
    // A failed call leaves no trace, so its retry is judged afresh.
    FileKey missing = FileKey.newBuilder().setDomain("d").setKey("later").setRequestId("delete-3").build();
    f.fails(ErrorReason.UNKNOWN_KEY, DeleteFile.prepare(missing, f));
    f.put("d", "later", 3);
    f.ok(DeleteFile.prepare(missing, f));
    assertNull(f.view().file("d", "later"));
  }

  @Test
  void rememberedAnswersAreForgottenAfterTheirWindow() {
    f.put("d", "a", 1);
    RenameRequest rename = RenameRequest.newBuilder().setDomain("d").setFromKey("a").setToKey("c")
        .setRequestId("rename-1").build();
    f.ok(RenameFile.prepare(rename, f));
    f.now += RememberedRequests.REMEMBER_MS - 1;
    assertEquals(0, f.ok(ExpireUploads.prepare(f.now, List.of())).getExpired().getCount());
    f.ok(RenameFile.prepare(rename, f));
    f.now += 2;
    f.ok(ExpireUploads.prepare(f.now, List.of()));
    f.fails(ErrorReason.UNKNOWN_KEY, RenameFile.prepare(rename, f));
  }

  @Test
  void updateFileClassMovesCounts() {
    f.ok(CreateClass.prepare(io.mogul.proto.ClassSpec.newBuilder().setDomain("d").setName("c").build(), f));
    f.put("d", "k", 7);
    FileInfo info = f.ok(UpdateFileClass.prepare(UpdateFileClassRequest.newBuilder().setDomain("d").setKey("k")
        .setStorageClass("c").build(), f)).getFile();
    assertEquals("c", info.getStorageClass());
    assertEquals(1, f.view().tally(f.view().storageClass("d", "c")).getFileCount());
    assertEquals(0, f.view().tally(f.view().storageClass("d", "default")).getFileCount());
    f.fails(ErrorReason.UNKNOWN_CLASS, UpdateFileClass.prepare(UpdateFileClassRequest.newBuilder().setDomain("d").setKey("k")
        .setStorageClass("nope").build(), f));
    f.fails(ErrorReason.UNKNOWN_KEY, UpdateFileClass.prepare(UpdateFileClassRequest.newBuilder().setDomain("d").setKey("zz")
        .setStorageClass("c").build(), f));
  }

  @Test
  void setAttributesMergeAndOverwrite() {
    OpenUpload open = f.open("d", "k");
    f.ok(CreateClose.prepare(f.closeOf(open, 1).putAttributes("a", "1").putAttributes("b", "2").build(), f));
    FileInfo merged = f.ok(SetAttributes.prepare(SetAttributesRequest.newBuilder().setDomain("d").setKey("k")
        .putAttributes("b", "").putAttributes("c", "3").setContentType("text/plain").build(), f)).getFile();
    assertEquals(Map.of("a", "1", "c", "3"), merged.getAttributesMap());
    assertEquals("text/plain", merged.getContentType());
    FileInfo replaced = f.ok(SetAttributes.prepare(SetAttributesRequest.newBuilder().setDomain("d").setKey("k")
        .putAttributes("z", "9").setMode(AttributeMode.ATTRIBUTE_MODE_OVERWRITE).build(), f)).getFile();
    assertEquals(Map.of("z", "9"), replaced.getAttributesMap());
    assertEquals("text/plain", replaced.getContentType());
    f.fails(ErrorReason.UNKNOWN_KEY, SetAttributes.prepare(SetAttributesRequest.newBuilder().setDomain("d").setKey("no").build(), f));
    f.rejects(ErrorReason.INVALID_ARGUMENT, ctx -> SetAttributes.prepare(SetAttributesRequest.newBuilder().setDomain("d").setKey("k")
        .putAttributes("x".repeat(65), "v").build(), ctx));
  }

  @Test
  void tooManyMergedAttributesAreRefused() {
    SetAttributesRequest.Builder many = SetAttributesRequest.newBuilder().setDomain("d").setKey("k");
    for (int i = 0; i < 64; i++) {
      many.putAttributes("a" + i, "v");
    }
    f.put("d", "k", 1);
    f.ok(SetAttributes.prepare(many.build(), f));
    f.fails(ErrorReason.INVALID_ARGUMENT, SetAttributes.prepare(SetAttributesRequest.newBuilder().setDomain("d").setKey("k")
        .putAttributes("one-more", "v").build(), f));
  }

  @Test
  void fidsComeFromReservedRangesAndNeverRepeat() {
    OpenUpload a = f.open("d", "a");
    long first = a.getFid();
    long second = f.open("d", "b").getFid();
    assertEquals(first + 1, second);
    f.ok(CreateClose.prepare(f.closeOf(a, 1).build(), f));
    f.fails(ErrorReason.INTERNAL, Command.newBuilder().setTimeMs(1).setCreateOpen(OpenUpload.newBuilder()
        .setFid(1_000_000).setDomain("d").setKey("x").setStorageClass("default")).build());
    f.fails(ErrorReason.INTERNAL, Command.newBuilder().setTimeMs(1).setCreateOpen(OpenUpload.newBuilder()
        .setFid(first).setDomain("d").setKey("x").setStorageClass("default")).build());
    OpenUpload invented = OpenUpload.newBuilder().setFid(1_000_000).setDomain("d").setKey("x")
        .setStorageClass("default").setExpiresAtMs(f.now + 1).addDeviceIds(1).addDeviceIds(2).build();
    f.fails(ErrorReason.INTERNAL, Command.newBuilder().setTimeMs(f.now).setUpload(invented)
        .setCreateClose(f.closeOf(invented, 1)).build());
  }

  @Test
  void closeRejectsUnknownDomainKeyNames() {
    OpenUpload open = f.open("d", "k");
    CreateCloseRequest bad = f.closeOf(open, 1).setDomain("BAD").build();
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateClose.prepare(bad, ctx));
  }
}
