package io.mogul.datanode.storage;

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
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online compaction of a sealed volume. Live records are copied to {@code vol_N.cpd}
 * while reads and deletes go on against the old file, and fsync'ed; then, on the device's
 * writer thread (so no delete interleaves), records appended meanwhile (tombstones) are
 * copied and synced too, the new files are renamed over the old ones, and the index is
 * repointed under the volume's swap lock. The new files carry the next generation, so a crash between the
 * two renames leaves a stale index that loading detects and rebuilds; a crash before the
 * first rename leaves the original files untouched.
 */
public final class VolumeCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeCompactor.class);

  /** What a compaction achieved. */
  public record Result(int volumeId, long bytesBefore, long bytesAfter, int recordsKept) {}

  private final Device device;
  private final Volume volume;
  private long[] moved = new long[3 * 1024]; // fid, old offset, new offset
  private int movedCount;

  private VolumeCompactor(Device device, Volume volume) {
    this.device = device;
    this.volume = volume;
  }

  /** Compacts a sealed volume; the active volume is refused. */
  public static Result compact(Device device, int volumeId) throws IOException {
    Volume v = device.volume(volumeId);
    if (!device.isSealed(v)) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "volume " + volumeId + " is still being written");
    }
    return new VolumeCompactor(device, v).run();
  }

  private Result run() throws IOException {
    long before = volume.committedEnd();
    long generation = volume.generation() + 1;
    Path cpd = volume.datPath().resolveSibling("vol_" + volume.id() + ".cpd");
    Path cpx = volume.datPath().resolveSibling("vol_" + volume.id() + ".cpx");
    FileChannel newDat = FileChannel.open(cpd, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel newIdx = FileChannel.open(cpx, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    boolean swapped = false;
    try {
      VolumeWriter.writeAt(newDat, ByteBuffer.wrap(VolumeFormat.superblock(VolumeFormat.DAT_MAGIC, volume.id(), generation)), 0);
      VolumeWriter.writeAt(newIdx, ByteBuffer.wrap(VolumeFormat.superblock(VolumeFormat.IDX_MAGIC, volume.id(), generation)), 0);
      long[] pos = {VolumeFormat.SUPERBLOCK_SIZE, VolumeFormat.SUPERBLOCK_SIZE};
      long snapshotEnd = before;
      copy(VolumeFormat.SUPERBLOCK_SIZE, snapshotEnd, newDat, newIdx, pos, true);
      int kept = movedCount;
      // The bulk copy is made durable before the writer is asked in, so writes to the device
      // wait only for the tail copied there to be synced.
      newDat.force(true);
      newIdx.force(true);
      device.writer().run(() -> {
        // Between batches: nothing is appended to this volume while we finish.
        copy(snapshotEnd, volume.committedEnd(), newDat, newIdx, pos, false);
        newDat.force(true);
        newIdx.force(true);
        swap(cpd, cpx, newDat, newIdx, generation, pos);
        return null;
      }).get();
      swapped = true;
      LOG.info("device {} volume {}: compacted {} -> {} bytes, {} records kept", device.id(), volume.id(), before,
          pos[0], kept);
      return new Result(volume.id(), before, pos[0], kept);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("compaction interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException("compaction failed", e.getCause());
    } finally {
      if (!swapped) {
        newDat.close();
        newIdx.close();
        Files.deleteIfExists(cpd);
        Files.deleteIfExists(cpx);
      }
    }
  }

  /**
   * Copies records in [from, to) of the current data file. With {@code liveOnly}, only
   * records the index still points at are copied; otherwise every record (the tail
   * written during the copy: tombstones of blobs deleted meanwhile).
   */
  private void copy(long from, long to, FileChannel newDat, FileChannel newIdx, long[] pos, boolean liveOnly)
      throws IOException {
    VolumeFile src = volume.file().retain();
    if (src == null) {
      throw new IOException("volume " + volume.id() + " was closed");
    }
    try {
      FileChannel in = src.channel();
      ByteBuffer entry = ByteBuffer.allocate(VolumeFormat.INDEX_ENTRY_SIZE);
      long p = from;
      while (p < to) {
        NeedleHeader h = NeedleFormat.decodeHeader(VolumeLoader.read(in, p, NeedleFormat.HEADER_SIZE));
        if (h == null) {
          throw new IOException("volume " + volume.id() + " has a damaged record at offset " + p);
        }
        long size = h.recordSize();
        boolean keep;
        if (h.tombstone()) {
          keep = !liveOnly;
        } else {
          NeedleLocation cur = device.index().get(h.fid());
          keep = cur != null && cur.volumeId() == volume.id() && cur.offset() == p;
        }
        if (keep) {
          long done = 0;
          while (done < size) {
            done += in.transferTo(p + done, size - done, newDat.position(pos[0] + done));
          }
          entry.clear();
          VolumeFormat.putIndexEntry(entry, h.fid(), pos[0], h.length(), h.flags(), h.crc32c());
          entry.flip();
          VolumeWriter.writeAt(newIdx, entry, pos[1]);
          if (!h.tombstone()) {
            remember(h.fid(), p, pos[0]);
          }
          pos[0] += size;
          pos[1] += VolumeFormat.INDEX_ENTRY_SIZE;
        }
        p += size;
      }
    } finally {
      src.release();
    }
  }

  private void remember(long fid, long oldOffset, long newOffset) {
    if (3 * movedCount + 3 > moved.length) {
      moved = Arrays.copyOf(moved, moved.length * 2);
    }
    moved[3 * movedCount] = fid;
    moved[3 * movedCount + 1] = oldOffset;
    moved[3 * movedCount + 2] = newOffset;
    movedCount++;
  }

  /**
   * Writer thread only, so the index does not change meanwhile. Readers keep using the old
   * file through its open channel while it is renamed over, so only repointing the index
   * and switching the volume's file need the swap lock.
   */
  private void swap(Path cpd, Path cpx, FileChannel newDat, FileChannel newIdx, long generation, long[] pos)
      throws IOException {
    Files.move(cpd, volume.datPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Device.fsyncDirectory(volume.datPath().getParent());
    Files.move(cpx, volume.idxPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Device.fsyncDirectory(volume.datPath().getParent());
    long live = 0;
    for (int i = 0; i < movedCount; i++) {
      NeedleLocation cur = device.index().get(moved[3 * i]);
      if (cur != null && cur.volumeId() == volume.id()) {
        live += NeedleFormat.recordSize(cur.flags(), cur.length());
      }
    }
    long garbage = Math.max(0, pos[0] - VolumeFormat.SUPERBLOCK_SIZE - live);
    volume.swapLock().writeLock().lock();
    try {
      for (int i = 0; i < movedCount; i++) {
        long fid = moved[3 * i];
        NeedleLocation cur = device.index().get(fid);
        if (cur != null && cur.volumeId() == volume.id() && cur.offset() == moved[3 * i + 1]) {
          device.index().put(new NeedleLocation(fid, volume.id(), moved[3 * i + 2], cur.length(), cur.flags()));
        }
      }
      volume.swap(new VolumeFile(newDat), newIdx, generation, pos[0], pos[1], garbage);
    } finally {
      volume.swapLock().writeLock().unlock();
    }
  }
}
