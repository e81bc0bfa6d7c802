package io.mogul.datanode.storage;

import io.mogul.common.MogulException;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.NeedleHeader;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.ErrorReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Collects a streamed blob: in memory up to a limit, then in a temporary file laid out as a
 * needle record, so a huge upload never sits in the heap. Computes the whole and per-chunk
 * checksums as bytes arrive. Nothing becomes visible until {@link #finish} passes the
 * length and checksum checks and the body is handed to the volume writer; {@link #abort}
 * removes every trace.
 */
public final class BlobReceiver implements AutoCloseable {
  private final Device device;
  private final long fid;
  private final int memoryLimit;
  private final long largeThreshold;
  private ByteArrayOutputStream memory = new ByteArrayOutputStream();
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
      if (memory != null) {
        byte[] buffered = memory.toByteArray();
        memory = null;
        // The current piece is already counted in `length` but not yet buffered.
        writeFully(ByteBuffer.wrap(buffered));
      }
      writeFully(d);
    } else {
      byte[] bytes = new byte[d.remaining()];
      d.get(bytes);
      memory.write(bytes);
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
    device.checkSpace(length);
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
      return new NeedleBody.InMemory(ByteBuffer.wrap(memory.toByteArray()), crc, crcs);
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
