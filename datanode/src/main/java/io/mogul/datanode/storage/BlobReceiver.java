package io.mogul.datanode.storage;

import io.mogul.common.Buffers;
import io.mogul.common.MogulException;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.NeedleHeader;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Collects a streamed blob: in memory up to a limit, then in a temporary file laid out as a
 * needle record, so a huge upload never sits in the heap. Computes the whole and per-chunk
 * checksums as bytes arrive. In memory it keeps the pieces it was given rather than copies
 * (a blob that arrived in one piece is written from that piece), so a piece passed to
 * {@link #add} must not change afterwards. Nothing becomes visible until {@link #finish}
 * passes the length and checksum checks and the body is handed to the volume writer;
 * {@link #abort} removes every trace. Each piece written to the spill file is checked
 * against the device's reserve first ({@code DEVICE_FULL}), whether or not the sender
 * announced the blob's length.
 */
public final class BlobReceiver implements AutoCloseable {
  private final Device device;
  private final long fid;
  private final int memoryLimit;
  private final long largeThreshold;
  /** The pieces received while the blob fits in memory; null once spilled or done. */
  private List<ByteBuffer> memory = new ArrayList<>();
  private Path spillPath;
  private FileChannel spill;
  private long length;
  private final CRC32C whole = new CRC32C();
  private CRC32C chunk = new CRC32C();
  private long chunkFill;
  private int[] chunkCrcs = new int[16];
  private int chunks;
  private boolean done;

  BlobReceiver(Device device, long fid, int memoryLimit, long largeThreshold) {
    this.device = device;
    this.fid = fid;
    this.memoryLimit = memoryLimit;
    this.largeThreshold = largeThreshold;
  }

  public long length() {
    return length;
  }

  /** Takes the remaining bytes of {@code data}, which must not change afterwards. */
  public void add(ByteBuffer data) throws IOException {
    ByteBuffer d = data.slice();
    whole.update(d.duplicate());
    // Chunk checksums follow fixed CHECKSUM_CHUNK boundaries whatever the sender's chunking.
    ByteBuffer rest = d.duplicate();
    while (rest.hasRemaining()) {
      int take = (int) Math.min(rest.remaining(), NeedleFormat.CHECKSUM_CHUNK - chunkFill);
      ByteBuffer part = rest.duplicate();
      part.limit(part.position() + take);
      chunk.update(part);
      rest.position(rest.position() + take);
      chunkFill += take;
      if (chunkFill == NeedleFormat.CHECKSUM_CHUNK) {
        closeChunk();
      }
    }
    length += d.remaining();
    if (spill == null && length > memoryLimit) {
      startSpill();
    }
    if (spill != null) {
      // Every piece is checked, not just the start of the spill: a blob sent without its
      // length must not grow into the device's reserve.
      device.checkSpace(memory != null ? length : d.remaining());
      if (memory != null) {
        // Move what was kept to the spill file; the current piece follows it.
        for (ByteBuffer kept : memory) {
          writeFully(kept);
        }
        memory = null;
      }
      writeFully(d);
    } else {
      memory.add(d);
    }
  }

  private void closeChunk() {
    if (chunks == chunkCrcs.length) {
      chunkCrcs = Arrays.copyOf(chunkCrcs, chunks * 2);
    }
    chunkCrcs[chunks++] = (int) chunk.getValue();
    chunk = new CRC32C();
    chunkFill = 0;
  }

  private void startSpill() throws IOException {
    spillPath = Files.createTempFile(device.tmpDir(), "w" + Long.toUnsignedString(fid) + "-", ".spill");
    spill = FileChannel.open(spillPath, StandardOpenOption.WRITE, StandardOpenOption.READ);
    spill.position(NeedleFormat.HEADER_SIZE);
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      spill.write(b);
    }
  }

  /**
   * Checks the received bytes against the sender's trailer.
   *
   * @return the body to hand to {@link Store#write}
   */
  public NeedleBody finish(long expectedLength, int expectedCrc) throws IOException {
    if (expectedLength != length) {
      throw new MogulException(ErrorReason.LENGTH_MISMATCH,
          "fid " + Long.toUnsignedString(fid) + ": received " + length + " bytes, trailer says " + expectedLength);
    }
    int crc = (int) whole.getValue();
    if (crc != expectedCrc) {
      throw new MogulException(ErrorReason.CHECKSUM_MISMATCH, "fid " + Long.toUnsignedString(fid)
          + ": received data has CRC32C " + Integer.toUnsignedString(crc) + ", trailer says "
          + Integer.toUnsignedString(expectedCrc));
    }
    if (chunkFill > 0 && length > NeedleFormat.CHECKSUM_CHUNK) {
      closeChunk();
    }
    int[] crcs = NeedleFormat.chunkCount(length) == 0 ? new int[0] : Arrays.copyOf(chunkCrcs, chunks);
    done = true;
    if (spill == null) {
      // A blob that arrived in one piece is written from that piece.
      return new NeedleBody.InMemory(Buffers.joined(memory), crc, crcs);
    }
    if (length <= largeThreshold) {
      spill.close();
      return new NeedleBody.Spilled(spillPath, NeedleFormat.HEADER_SIZE, length, crc, crcs);
    }
    NeedleLocation existing = device.index().get(fid);
    if (existing != null) {
      // Never replace the file of a stored blob; the writer accepts an identical retry.
      abort();
      return new NeedleBody.Large(length, crc, false);
    }
    // A large blob becomes a needle file of its own: crc table, padding, header, fsync, rename.
    ByteBuffer table = ByteBuffer.allocate(4 * crcs.length);
    for (int c : crcs) {
      table.putInt(c);
    }
    table.flip();
    writeFully(table);
    long recordEnd = NeedleFormat.HEADER_SIZE + NeedleFormat.bodySize(0, length);
    long pad = NeedleFormat.align(recordEnd) - recordEnd;
    writeFully(ByteBuffer.allocate((int) pad));
    spill.write(ByteBuffer.wrap(NeedleFormat.encodeHeader(
        new NeedleHeader(fid, 0, length, System.currentTimeMillis(), crc))), 0);
    spill.force(true);
    spill.close();
    Path target = device.largeDir().resolve(VolumeFormat.largeName(fid));
    Files.move(spillPath, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Device.fsyncDirectory(device.largeDir());
    return new NeedleBody.Large(length, crc, true);
  }

  /** Drops whatever was received. */
  public void abort() {
    done = true;
    memory = null;
    closeSpill(true);
  }

  private void closeSpill(boolean delete) {
    try {
      if (spill != null && spill.isOpen()) {
        spill.close();
      }
      if (delete && spillPath != null) {
        Files.deleteIfExists(spillPath);
      }
    } catch (IOException e) {
      device.noteError("cannot remove spill file " + spillPath, e);
    }
  }

  @Override
  public void close() {
    if (!done) {
      abort();
    }
  }
}
