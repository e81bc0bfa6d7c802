package io.mogul.datanode.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one large record with its whole file-system blocks going straight to the disk
 * ({@code O_DIRECT}), past the page cache. Copying a large blob into the page cache is most
 * of a datanode's CPU for 1 MiB files (freshly allocated cache pages are expensive to fill,
 * especially in virtual machines); a direct write costs a copy into one reused aligned
 * buffer instead.
 *
 * <p>The partial blocks at either end of the record go through the buffered channel, so no
 * page is ever written both ways; the caller's fsync of the data file makes both kinds
 * durable. The on-disk format does not change. If the file system refuses
 * {@code O_DIRECT} (tmpfs, some network file systems), every record is written buffered
 * from then on. Used by the volume writer thread only; not thread-safe.
 */
final class DirectRecordWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DirectRecordWriter.class);
  /** Bytes copied into the aligned buffer and written per direct write call. */
  private static final int PIECE_BYTES = 1 << 20;

  private final int blockSize;
  private ByteBuffer aligned;
  private boolean unsupported;
  /** Written by the writer thread, read by anyone (metrics, tests). */
  private volatile long directBytes;

  /** @param dir the device directory, whose file system gives the block size */
  DirectRecordWriter(Path dir) {
    long block;
    try {
      block = Files.getFileStore(dir).getBlockSize();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.info("device directory {}: block size unknown ({}); large records are written through the page cache",
          dir, e.toString());
      block = 0;
    }
    boolean usable = block > 0 && block <= 64 * 1024 && Long.bitCount(block) == 1;
    if (!usable && block != 0) {
      LOG.info("device directory {}: block size {} unusable for O_DIRECT; large records are written through the"
          + " page cache", dir, block);
    }
    this.blockSize = usable ? (int) block : 0;
    this.unsupported = !usable;
  }

  /** Bytes written past the page cache so far. */
  long directBytes() {
    return directBytes;
  }

  /**
   * Writes {@code parts}, concatenated, at {@code offset} of the data file {@code path},
   * whose buffered channel is {@code buffered}. Returns once every byte is handed to the
   * kernel; durable only after the caller's fsync.
   */
  void write(Path path, FileChannel buffered, long offset, ByteBuffer... parts) throws IOException {
    long total = 0;
    for (ByteBuffer p : parts) {
      total += p.remaining();
    }
    long start = (offset + blockSize - 1) / Math.max(1, blockSize) * blockSize;
    long end = (offset + total) / Math.max(1, blockSize) * blockSize;
    FileChannel direct = unsupported || end - start <= 0 ? null : openDirect(path);
    if (direct == null) {
      writeBuffered(buffered, offset, slice(parts, 0, total));
      return;
    }
    try (direct) {
      writeBuffered(buffered, offset, slice(parts, 0, start - offset));
      if (aligned == null) {
        aligned = ByteBuffer.allocateDirect(PIECE_BYTES + blockSize).alignedSlice(blockSize);
      }
      for (long pos = start; pos < end; ) {
        long n = Math.min(end - pos, aligned.capacity() / blockSize * blockSize);
        aligned.clear();
        for (ByteBuffer s : slice(parts, pos - offset, pos - offset + n)) {
          aligned.put(s);
        }
        aligned.flip();
        VolumeWriter.writeAt(direct, aligned, pos);
        pos += n;
        directBytes += n;
      }
      writeBuffered(buffered, end, slice(parts, end - offset, total));
    }
  }

  private FileChannel openDirect(Path path) {
    try {
      return FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      // Refused at open (EINVAL on tmpfs): the file system cannot do it, so stop trying.
      LOG.info("{}: O_DIRECT refused ({}); large records are written through the page cache", path, e.toString());
      unsupported = true;
      return null;
    }
  }

  private static void writeBuffered(FileChannel ch, long pos, List<ByteBuffer> slices) throws IOException {
    for (ByteBuffer s : slices) {
      VolumeWriter.writeAt(ch, s, pos);
      pos += s.capacity();
    }
  }

  /** Views of bytes [from, to) of the concatenation of {@code parts}, not consuming them. */
  static List<ByteBuffer> slice(ByteBuffer[] parts, long from, long to) {
    List<ByteBuffer> out = new ArrayList<>();
    long at = 0;
    for (ByteBuffer p : parts) {
      long len = p.remaining();
      long lo = Math.max(from, at);
      long hi = Math.min(to, at + len);
      if (lo < hi) {
        out.add(p.slice(p.position() + (int) (lo - at), (int) (hi - lo)));
      }
      at += len;
    }
    return out;
  }
}
