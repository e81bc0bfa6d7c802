package io.mogul.datanode.storage;

import static io.mogul.datanode.storage.StoreFixture.bytes;
import static io.mogul.datanode.storage.StoreFixture.config;
import static io.mogul.datanode.storage.StoreFixture.readAll;
import static io.mogul.datanode.storage.StoreFixture.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.ErrorReason;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void concurrentWritersShareFsyncs() throws Exception {
    DatanodeConfig c = config(dir);
    c.storage.volumeSizeBytes = 64L << 20;
    try (Store s = StoreFixture.open(c)) {
      VolumeWriter w = s.device(1).writer();
      long batchesBefore = w.batches();
      List<CompletableFuture<NeedleLocation>> writes = new ArrayList<>();
      for (int i = 1; i <= 2000; i++) {
        writes.add(s.writeSmall(1, i, ByteBuffer.wrap(new byte[512])));
      }
      for (CompletableFuture<NeedleLocation> f : writes) {
        f.get();
      }
      long batches = w.batches() - batchesBefore;
      assertTrue(batches < 1000, "2000 queued writes must share fsyncs, took " + batches + " batches");
    }
  }

  @Test
  void failedBatchIsTruncatedAndNeverAcknowledged() throws Exception {
    DatanodeConfig c = config(dir);
    byte[] kept = bytes(new Random(41), 300);
    Path dat = dir.resolve("dev1").resolve(VolumeFormat.datName(1));
    try (Store s = StoreFixture.open(c)) {
      write(s, 1, kept);
      long sizeBefore = Files.size(dat);
      // The index file becomes unwritable: the next batch's data is written, then must be undone.
      s.device(1).volume(1).indexChannel().close();
      ExecutionException e = assertThrows(ExecutionException.class, () -> write(s, 2, new byte[1000]));
      assertEquals(ErrorReason.DEVICE_UNAVAILABLE, ((MogulException) e.getCause()).reason());
      assertEquals(sizeBefore, Files.size(dat), "the failed batch's data must be truncated away");
      assertNotNull(s.device(1).error(), "the device reports the failure");
      assertEquals(ErrorReason.DEVICE_UNAVAILABLE,
          assertThrows(MogulException.class, () -> write(s, 3, new byte[10])).reason());
      assertEquals(ErrorReason.BLOB_NOT_FOUND, assertThrows(MogulException.class, () -> s.open(1, 2)).reason());
    }
    try (Store s = StoreFixture.open(c)) {
      assertArrayEquals(kept, readAll(s, 1));
      assertEquals(ErrorReason.BLOB_NOT_FOUND, assertThrows(MogulException.class, () -> s.open(1, 2)).reason());
      write(s, 3, new byte[10]);
    }
  }

  @Test
  void sameFidTwiceInOneBatchKeepsTheFirstAndRefusesDifferentContent() throws Exception {
    try (Store s = StoreFixture.open(config(dir))) {
      List<CompletableFuture<NeedleLocation>> writes = new ArrayList<>();
      for (int round = 0; round < 50; round++) {
        long fid = 1000 + round;
        writes.add(s.writeSmall(1, fid, ByteBuffer.wrap("same".getBytes())));
        writes.add(s.writeSmall(1, fid, ByteBuffer.wrap("same".getBytes())));
        CompletableFuture<NeedleLocation> other = s.writeSmall(1, fid, ByteBuffer.wrap("else".getBytes()));
        ExecutionException e = assertThrows(ExecutionException.class, other::get);
        assertEquals(ErrorReason.INVALID_ARGUMENT, ((MogulException) e.getCause()).reason());
      }
      for (CompletableFuture<NeedleLocation> f : writes) {
        f.get();
      }
      for (int round = 0; round < 50; round++) {
        assertArrayEquals("same".getBytes(), readAll(s, 1000 + round));
      }
    }
  }
}
