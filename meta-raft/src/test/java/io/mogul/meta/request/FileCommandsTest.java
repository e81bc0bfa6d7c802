package io.mogul.meta.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.AttributeMode;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FileKey;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.SetAttributesRequest;
import io.mogul.proto.UpdateFileClassRequest;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.OpenUpload;
import java.nio.file.Path;
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
  void openRecordsUploadWithExpiryAndDistinctHosts() {
    OpenUpload open = f.open("d", "k");
    assertEquals(f.now + f.expiryMs, open.getExpiresAtMs());
    assertEquals("default", open.getStorageClass());
    assertEquals(3, open.getDeviceIdsCount(), "2 for mindevcount plus spares");
    assertNotNull(f.view().upload(open.getFid()));
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
  void openAppliedAfterDomainDeletedFails() {
    Command open = CreateOpen.prepare(CreateOpenRequest.newBuilder().setDomain("d").setKey("k").build(), f);
    f.ok(DeleteDomain.prepare(io.mogul.proto.DomainRef.newBuilder().setName("d").build(), f));
    f.fails(ErrorReason.UNKNOWN_DOMAIN, open);
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
    assertEquals(1, f.view().domain("d").getFileCount());
    assertEquals(42, f.view().storageClass("d", "default").getByteCount());
  }

  @Test
  void closeIsIdempotent() {
    OpenUpload open = f.open("d", "k");
    Command close = CreateClose.prepare(f.closeOf(open, 42).build(), f);
    FileInfo first = f.ok(close).getFile();
    FileInfo again = f.ok(close).getFile();
    assertEquals(first, again);
    assertEquals(1, f.view().domain("d").getFileCount());
  }

  @Test
  void closeReplacesOlderVersionAndQueuesItForDeletion() {
    FileInfo v1 = f.put("d", "k", 10);
    FileInfo v2 = f.put("d", "k", 20);
    assertTrue(v2.getFid() != v1.getFid());
    assertNotNull(f.view().deletion(v1.getFid()));
    assertEquals(2, f.view().deletion(v1.getFid()).getDeviceIdsCount());
    assertNull(f.view().fid(v1.getFid()));
    assertEquals(1, f.view().domain("d").getFileCount());
    assertEquals(20, f.view().domain("d").getByteCount());
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
    OpenUpload fresh;
    f.now += f.expiryMs / 2;
    fresh = f.open("d", "k2");
    f.now += f.expiryMs / 2;
    assertEquals(1, f.ok(ExpireUploads.prepare(f.now)).getExpired().getCount());
    assertNull(f.view().upload(open.getFid()));
    assertNotNull(f.view().upload(fresh.getFid()));
    assertEquals(open.getDeviceIdsList(), f.view().deletion(open.getFid()).getDeviceIdsList());
    f.fails(ErrorReason.UPLOAD_EXPIRED, CreateClose.prepare(f.closeOf(open, 1).build(), f));
  }

  @Test
  void deleteQueuesBlobs() {
    FileInfo info = f.put("d", "k", 10);
    f.ok(DeleteFile.prepare(key("k"), f));
    assertNull(f.view().file("d", "k"));
    assertNull(f.view().fid(info.getFid()));
    assertNotNull(f.view().deletion(info.getFid()));
    assertEquals(0, f.view().domain("d").getFileCount());
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
    assertEquals(0, f.ok(ExpireUploads.prepare(f.now)).getExpired().getCount());
    f.ok(RenameFile.prepare(rename, f));
    f.now += 2;
    f.ok(ExpireUploads.prepare(f.now));
    f.fails(ErrorReason.UNKNOWN_KEY, RenameFile.prepare(rename, f));
  }

  @Test
  void updateFileClassMovesCounts() {
    f.ok(CreateClass.prepare(io.mogul.proto.ClassSpec.newBuilder().setDomain("d").setName("c").build(), f));
    f.put("d", "k", 7);
    FileInfo info = f.ok(UpdateFileClass.prepare(UpdateFileClassRequest.newBuilder().setDomain("d").setKey("k")
        .setStorageClass("c").build(), f)).getFile();
    assertEquals("c", info.getStorageClass());
    assertEquals(1, f.view().storageClass("d", "c").getFileCount());
    assertEquals(0, f.view().storageClass("d", "default").getFileCount());
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
    long first = f.open("d", "a").getFid();
    long second = f.open("d", "b").getFid();
    assertEquals(first + 1, second);
    f.fails(ErrorReason.INTERNAL, Command.newBuilder().setTimeMs(1).setCreateOpen(OpenUpload.newBuilder()
        .setFid(1_000_000).setDomain("d").setKey("x").setStorageClass("default")).build());
    f.fails(ErrorReason.INTERNAL, Command.newBuilder().setTimeMs(1).setCreateOpen(OpenUpload.newBuilder()
        .setFid(first).setDomain("d").setKey("x").setStorageClass("default")).build());
  }

  @Test
  void closeRejectsUnknownDomainKeyNames() {
    OpenUpload open = f.open("d", "k");
    CreateCloseRequest bad = f.closeOf(open, 1).setDomain("BAD").build();
    f.rejects(ErrorReason.INVALID_NAME, ctx -> CreateClose.prepare(bad, ctx));
  }
}
