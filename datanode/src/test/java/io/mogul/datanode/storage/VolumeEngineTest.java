package io.mogul.datanode.storage;

import static io.mogul.datanode.storage.StoreFixture.bytes;
import static io.mogul.datanode.storage.StoreFixture.config;
import static io.mogul.datanode.storage.StoreFixture.readAll;
import static io.mogul.datanode.storage.StoreFixture.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class VolumeEngineTest {
  @TempDir Path dir;

  private static MogulException cause(ExecutionException e) {
    return (MogulException) e.getCause();
  }

  @Test
  void appendedBlobsReadBackAcrossVolumesAndRestart() throws Exception {
    DatanodeConfig c = config(dir);
    Random r = new Random(1);
    List<byte[]> blobs = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      blobs.add(bytes(r, r.nextInt(5000)));
    }
    try (Store s = StoreFixture.open(c)) {
      writeConcurrently(s, blobs);
      assertTrue(s.device(1).volumes().size() > 1, "1 MiB volumes must roll over");
      assertReadBack(s, blobs, "");
    }
    try (Store s = StoreFixture.open(c)) {
      assertEquals(600, s.device(1).index().size());
      assertReadBack(s, blobs, " after restart");
    }
  }

  @Test
  void largeInMemoryBlobsStagedFromTheirOwnBuffersFormWholeRecordsAmongSmallOnes() throws Exception {
    DatanodeConfig c = config(dir);
    Random r = new Random(5);
    List<byte[]> blobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      // Sizes alternate around the in-place staging threshold (64 KiB); written concurrently,
      // so large and small records share group commits.
      int size = i % 2 == 0 ? 64 * 1024 + r.nextInt(200_000) : r.nextInt(3000);
      blobs.add(bytes(r, size));
    }
    try (Store s = StoreFixture.open(c)) {
      writeConcurrently(s, blobs);
      assertReadBack(s, blobs, "");
    }
    assertFoundAgainByReindexing(c, blobs);
  }

  /**
   * Deletes device 1's index files and reopens the store: walking the volumes record by
   * record must find blob i (fid i + 1) again, byte for byte.
   */
  private void assertFoundAgainByReindexing(DatanodeConfig c, List<byte[]> blobs) throws Exception {
    try (var idx = Files.list(dir.resolve("dev1"))) {
      for (Path p : idx.filter(p -> p.getFileName().toString().endsWith(".idx")).toList()) {
        Files.delete(p);
      }
    }
    try (Store s = StoreFixture.open(c)) {
      assertEquals(blobs.size(), s.device(1).index().size());
      assertReadBack(s, blobs, " after re-indexing");
    }
  }

  /** Writes blob i as fid i + 1 on device 1, all in flight at once, and waits for every write. */
  private static void writeConcurrently(Store s, List<byte[]> blobs) throws Exception {
    List<CompletableFuture<NeedleLocation>> futures = new ArrayList<>();
    for (int i = 0; i < blobs.size(); i++) {
      futures.add(s.writeSmall(1, i + 1, ByteBuffer.wrap(blobs.get(i))));
    }
    for (CompletableFuture<NeedleLocation> f : futures) {
      f.get();
    }
  }

  /** Fid i + 1 of device 1 reads back as blob i, byte for byte. */
  private static void assertReadBack(Store s, List<byte[]> blobs, String when) throws Exception {
    for (int i = 0; i < blobs.size(); i++) {
      assertArrayEquals(blobs.get(i), readAll(s, i + 1), "fid " + (i + 1) + when);
    }
  }

  @Test
  void largeBlobsWrittenPastThePageCacheAtUnalignedOffsetsReadBackAndAreFoundAgainByReindexing() throws Exception {
    DatanodeConfig c = config(dir);
    int threshold = (int) c.storage.directWriteBytes;
    Random r = new Random(8);
    List<byte[]> blobs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      // Odd-sized small records between the large ones put every large record at a
      // different offset within a block; large sizes straddle the direct-write threshold
      // and block boundaries.
      int size = i % 3 == 2 ? 1 + r.nextInt(5000) : threshold - 2 + r.nextInt(1024 * 1024 - threshold);
      blobs.add(bytes(r, size));
    }
    long directBytes;
    try (Store s = StoreFixture.open(c)) {
      writeConcurrently(s, blobs);
      directBytes = s.device(1).writer().directBytes();
      assertReadBack(s, blobs, "");
    }
    // The direct path is what this test is about, where the file system offers it.
    org.junit.jupiter.api.Assumptions.assumeTrue(directBytes > 0, "the test directory's file system refuses O_DIRECT");
    assertFoundAgainByReindexing(c, blobs);
  }

  @Test
  void directWritesSetToZeroWriteLargeBlobsThroughThePageCache() throws Exception {
    DatanodeConfig c = config(dir);
    c.storage.directWriteBytes = 0;
    byte[] b = bytes(new Random(9), 1024 * 1024);
    try (Store s = StoreFixture.open(c)) {
      s.writeSmall(1, 1, ByteBuffer.wrap(b)).get();
      assertEquals(0, s.device(1).writer().directBytes());
      assertArrayEquals(b, readAll(s, 1));
    }
  }

  @Test
  void deletedBlobStaysDeletedAfterRestart() throws Exception {
    DatanodeConfig c = config(dir);
    try (Store s = StoreFixture.open(c)) {
      write(s, 10, "ten".getBytes());
      write(s, 11, "eleven".getBytes());
      assertTrue(s.delete(1, 10).get());
      assertFalse(s.delete(1, 10).get());
      MogulException e = assertThrows(MogulException.class, () -> s.open(1, 10));
      assertEquals(ErrorReason.BLOB_NOT_FOUND, e.reason());
    }
    try (Store s = StoreFixture.open(c)) {
      assertThrows(MogulException.class, () -> s.open(1, 10));
      assertArrayEquals("eleven".getBytes(), readAll(s, 11));
    }
  }

  @Test
  void missingIndexFileIsRebuiltFromTheDataFile() throws Exception {
    DatanodeConfig c = config(dir);
    try (Store s = StoreFixture.open(c)) {
      write(s, 1, "one".getBytes());
      write(s, 2, "two".getBytes());
      s.delete(1, 1).get();
    }
    Files.delete(dir.resolve("dev1").resolve(VolumeFormat.idxName(1)));
    try (Store s = StoreFixture.open(c)) {
      assertThrows(MogulException.class, () -> s.open(1, 1));
      assertArrayEquals("two".getBytes(), readAll(s, 2));
    }
  }

  @Test
  void truncatedTailIsCutOffAtEveryByteOffset() throws Exception {
    DatanodeConfig c = config(dir);
    Random r = new Random(3);
    byte[] a = bytes(r, 100);
    byte[] b = bytes(r, 257);
    byte[] last = bytes(r, 123);
    try (Store s = StoreFixture.open(c)) {
      write(s, 1, a);
      write(s, 2, b);
      write(s, 3, last);
    }
    Path dat = dir.resolve("dev1").resolve(VolumeFormat.datName(1));
    Path idx = dir.resolve("dev1").resolve(VolumeFormat.idxName(1));
    byte[] fullDat = Files.readAllBytes(dat);
    byte[] fullIdx = Files.readAllBytes(idx);
    int lastStart = fullDat.length - (int) NeedleFormat.recordSize(0, last.length);
    for (int cut = lastStart; cut < fullDat.length; cut++) {
      Files.write(dat, java.util.Arrays.copyOf(fullDat, cut));
      boolean withIndex = cut % 2 == 0;
      if (withIndex) {
        Files.write(idx, fullIdx);
      } else {
        Files.deleteIfExists(idx);
      }
      try (Store s = StoreFixture.open(c)) {
        assertArrayEquals(a, readAll(s, 1), "cut at " + cut);
        assertArrayEquals(b, readAll(s, 2), "cut at " + cut);
        MogulException e = assertThrows(MogulException.class, () -> s.open(1, 3), "cut at " + cut);
        assertEquals(ErrorReason.BLOB_NOT_FOUND, e.reason());
        assertEquals(lastStart, Files.size(dat), "torn record must be truncated, cut at " + cut);
        write(s, 4, last);
      }
      try (Store s = StoreFixture.open(c)) {
        assertArrayEquals(last, readAll(s, 4), "cut at " + cut);
      }
    }
  }

  /**
   * Index and data files are synced in parallel: a crash can leave the index entries of the
   * last batch while their record bodies never reached the disk (zeros). Such a record must
   * be cut off like a torn tail, with every record after it, though the index lists it.
   */
  @Test
  void indexedRecordWhoseBodyNeverReachedTheDiskIsCutOff() throws Exception {
    DatanodeConfig c = config(dir);
    Random r = new Random(31);
    byte[][] blobs = {bytes(r, 100), bytes(r, 5000), bytes(r, 300), bytes(r, 123)};
    long[] offsets = new long[blobs.length];
    try (Store s = StoreFixture.open(c)) {
      for (int i = 0; i < blobs.length; i++) {
        offsets[i] = s.writeSmall(1, i + 1, ByteBuffer.wrap(blobs[i])).get().offset();
      }
    }
    Path dat = dir.resolve("dev1").resolve(VolumeFormat.datName(1));
    Path idx = dir.resolve("dev1").resolve(VolumeFormat.idxName(1));
    byte[] fullDat = Files.readAllBytes(dat);
    byte[] fullIdx = Files.readAllBytes(idx);
    for (int torn : new int[] {3, 1}) { // the last record, then one with intact records after it
      byte[] damaged = fullDat.clone();
      java.util.Arrays.fill(damaged, (int) offsets[torn] + NeedleFormat.HEADER_SIZE,
          (int) offsets[torn] + NeedleFormat.HEADER_SIZE + blobs[torn].length, (byte) 0);
      Files.write(dat, damaged);
      Files.write(idx, fullIdx);
      try (Store s = StoreFixture.open(c)) {
        assertEquals(offsets[torn], Files.size(dat), "the data file is cut where record " + torn + " starts");
        assertEquals(torn, s.device(1).index().size(), "records from " + torn + " on are not indexed");
        for (int i = 0; i < blobs.length; i++) {
          if (i < torn) {
            assertArrayEquals(blobs[i], readAll(s, i + 1), "blob " + i + ", torn " + torn);
          } else {
            int fid = i + 1;
            assertEquals(ErrorReason.BLOB_NOT_FOUND,
                assertThrows(MogulException.class, () -> s.open(1, fid)).reason(), "blob " + i + ", torn " + torn);
          }
        }
      }
    }
  }

  @Test
  void flippedByteIsDetectedOnRead() throws Exception {
    DatanodeConfig c = config(dir);
    Random r = new Random(4);
    byte[] small = bytes(r, 4096);
    byte[] chunked = bytes(r, 3 * NeedleFormat.CHECKSUM_CHUNK + 17);
    c.storage.volumeSizeBytes = 4L << 20;
    long smallOffset;
    long chunkedOffset;
    try (Store s = StoreFixture.open(c)) {
      smallOffset = s.writeSmall(1, 1, ByteBuffer.wrap(small)).get().offset();
      chunkedOffset = s.writeSmall(1, 2, ByteBuffer.wrap(chunked)).get().offset();
      // Two more volumes: damage in the newest two may be a torn last batch, cut off on load.
      write(s, 3, bytes(r, 3 << 20));
      write(s, 4, bytes(r, 3 << 20));
      assertEquals(3, s.device(1).volumes().size());
    }
    Path dat = dir.resolve("dev1").resolve(VolumeFormat.datName(1));
    flip(dat, smallOffset + NeedleFormat.HEADER_SIZE + 1000);
    flip(dat, chunkedOffset + NeedleFormat.HEADER_SIZE + 2L * NeedleFormat.CHECKSUM_CHUNK + 5);
    try (Store s = StoreFixture.open(c)) {
      MogulException e = assertThrows(MogulException.class, () -> s.open(1, 1));
      assertEquals(ErrorReason.CHECKSUM_MISMATCH, e.reason());
      try (NeedleReader.OpenNeedle n = s.open(1, 2)) {
        // Chunks before the damaged one are served; the damaged chunk is refused.
        assertEquals(NeedleFormat.CHECKSUM_CHUNK, n.read(0, NeedleFormat.CHECKSUM_CHUNK).remaining());
        MogulException bad = assertThrows(MogulException.class,
            () -> n.read(2L * NeedleFormat.CHECKSUM_CHUNK, NeedleFormat.CHECKSUM_CHUNK));
        assertEquals(ErrorReason.CHECKSUM_MISMATCH, bad.reason());
        assertTrue(n.computeCrc() != n.header().crc32c());
      }
    }
  }

  private static void flip(Path file, long pos) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, pos);
      b.put(0, (byte) (b.get(0) ^ 0x40));
      ch.write(b.clear(), pos);
    }
  }

  @Test
  void largeBlobLivesInItsOwnFileAndIsRemovedOnDelete() throws Exception {
    DatanodeConfig c = config(dir);
    c.storage.largeBlobThresholdBytes = 100_000;
    c.storage.writeBufferBytes = 10_000;
    byte[] data = bytes(new Random(5), 2_500_000);
    try (Store s = StoreFixture.open(c)) {
      BlobReceiver rx = s.receive(1, 77);
      for (int p = 0; p < data.length; p += 300_000) {
        rx.add(ByteBuffer.wrap(data, p, Math.min(300_000, data.length - p)));
      }
      s.commit(1, 77, rx.finish(data.length, StoreFixture.crc(data))).get();
      assertTrue(Files.exists(dir.resolve("dev1/large/77.ndl")));
      assertArrayEquals(data, readAll(s, 77));
    }
    try (Store s = StoreFixture.open(c)) {
      assertArrayEquals(data, readAll(s, 77));
      assertTrue(s.delete(1, 77).get());
      assertFalse(Files.exists(dir.resolve("dev1/large/77.ndl")));
    }
  }

  @Test
  void blobReceivedInSeveralPiecesWithinTheMemoryLimitIsStoredInOrder() throws Exception {
    byte[] data = bytes(new Random(7), 300_000);
    byte[] original = data.clone();
    try (Store s = StoreFixture.open(config(dir))) {
      BlobReceiver rx = s.receive(1, 6);
      rx.add(ByteBuffer.wrap(data, 0, 1000));
      rx.add(ByteBuffer.wrap(data, 1000, 0));
      rx.add(ByteBuffer.wrap(data, 1000, 200_000));
      rx.add(ByteBuffer.wrap(data, 201_000, data.length - 201_000));
      s.commit(1, 6, rx.finish(data.length, StoreFixture.crc(data))).get();
      assertArrayEquals(original, readAll(s, 6));
      assertArrayEquals(original, data, "storing a blob must not change the pieces it was given");
    }
  }

  @Test
  void spilledMediumBlobIsCopiedIntoTheVolume() throws Exception {
    DatanodeConfig c = config(dir);
    c.storage.volumeSizeBytes = 64L << 20;
    c.storage.writeBufferBytes = 10_000;
    byte[] data = bytes(new Random(6), 1_500_000);
    try (Store s = StoreFixture.open(c)) {
      BlobReceiver rx = s.receive(1, 5);
      rx.add(ByteBuffer.wrap(data, 0, 7000));
      rx.add(ByteBuffer.wrap(data, 7000, data.length - 7000));
      s.commit(1, 5, rx.finish(data.length, StoreFixture.crc(data))).get();
      assertArrayEquals(data, readAll(s, 5));
      try (var files = Files.list(dir.resolve("dev1/tmp"))) {
        assertEquals(0, files.count(), "spill file must be removed after commit");
      }
    }
  }

  @Test
  void wrongTrailerLeavesNothingBehind() throws Exception {
    DatanodeConfig c = config(dir);
    c.storage.writeBufferBytes = 1000;
    try (Store s = StoreFixture.open(c)) {
      BlobReceiver rx = s.receive(1, 9);
      byte[] data = bytes(new Random(8), 5000);
      rx.add(ByteBuffer.wrap(data));
      MogulException e = assertThrows(MogulException.class, () -> rx.finish(5000, StoreFixture.crc(data) + 1));
      assertEquals(ErrorReason.CHECKSUM_MISMATCH, e.reason());
      rx.close();
      assertThrows(MogulException.class, () -> s.open(1, 9));
      try (var files = Files.list(dir.resolve("dev1/tmp"))) {
        assertEquals(0, files.count());
      }
    }
  }

  @Test
  void rewriteOfSameContentIsIdempotentAndDifferentContentIsRefused() throws Exception {
    try (Store s = StoreFixture.open(config(dir))) {
      write(s, 1, "abc".getBytes());
      long end = s.device(1).activeVolume().end();
      write(s, 1, "abc".getBytes());
      assertEquals(end, s.device(1).activeVolume().end());
      ExecutionException e = assertThrows(ExecutionException.class, () -> write(s, 1, "xyz".getBytes()));
      assertEquals(ErrorReason.INVALID_ARGUMENT, cause(e).reason());
      assertArrayEquals("abc".getBytes(), readAll(s, 1));
    }
  }

  @Test
  void deviceBelowItsReserveRefusesWrites() throws Exception {
    DatanodeConfig c = config(dir);
    c.reserveBytes = Long.MAX_VALUE / 2;
    try (Store s = StoreFixture.open(c)) {
      assertTrue(s.device(1).full());
      MogulException e = assertThrows(MogulException.class, () -> write(s, 1, "x".getBytes()));
      assertEquals(ErrorReason.DEVICE_FULL, e.reason());
    }
  }

  /**
   * A blob streamed without its length is only known to be large as it arrives: each piece
   * spilled must be checked against the reserve, so the upload is refused before it eats
   * into it, leaving no spill file and no blob.
   */
  @Test
  void streamedBlobOfUnknownLengthIsRefusedBeforeItEatsIntoTheReserve() throws Exception {
    DatanodeConfig c = config(dir);
    c.storage.writeBufferBytes = 1 << 20;
    c.storage.largeBlobThresholdBytes = 2L << 20;
    // Leaves 32 MiB above the reserve: room for other processes writing to the same file
    // system meanwhile, while the margin to the 256 MiB sent absorbs them freeing space.
    c.reserveBytes = Files.getFileStore(dir).getUsableSpace() - (32L << 20);
    byte[] piece = bytes(new Random(41), 1 << 20);
    try (Store s = StoreFixture.open(c)) {
      BlobReceiver receiver = s.receive(1, 9);
      MogulException e = assertThrows(MogulException.class, () -> {
        for (int i = 0; i < 256; i++) {
          receiver.add(ByteBuffer.wrap(piece));
        }
      });
      assertEquals(ErrorReason.DEVICE_FULL, e.reason());
      receiver.abort();
      try (var tmp = Files.list(dir.resolve("dev1").resolve("tmp"));
          var large = Files.list(dir.resolve("dev1").resolve("large"))) {
        assertEquals(0, tmp.count(), "no spill file is left");
        assertEquals(0, large.count(), "no large blob file is left");
      }
      assertEquals(ErrorReason.BLOB_NOT_FOUND, assertThrows(MogulException.class, () -> s.open(1, 9)).reason());
    }
  }

  @Test
  void devicesNotAliveRefuseNewWritesAndDeadOnesAreNotServed() throws Exception {
    try (Store s = StoreFixture.open(config(dir))) {
      write(s, 1, "a".getBytes());
      s.setDeviceState(1, DeviceState.DEVICE_READONLY);
      assertEquals(ErrorReason.DEVICE_UNAVAILABLE,
          assertThrows(MogulException.class, () -> write(s, 2, "b".getBytes())).reason());
      assertArrayEquals("a".getBytes(), readAll(s, 1));
      s.setDeviceState(1, DeviceState.DEVICE_DEAD);
      assertEquals(ErrorReason.DEVICE_UNAVAILABLE, assertThrows(MogulException.class, () -> s.open(1, 1)).reason());
    }
  }
}
