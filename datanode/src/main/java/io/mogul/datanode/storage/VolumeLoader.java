package io.mogul.datanode.storage;

import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.NeedleHeader;
import io.mogul.datanode.storage.format.VolumeFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a volume and loads its records into the device index. The persisted index file is
 * trusted up to the last entry whose record lies inside the data file and whose header
 * matches; the data file past that point is scanned record by record, and the first torn
 * or corrupt record (short header, bad header checksum, body past the end, data checksum
 * mismatch) is cut off by truncating the data file there, so it can never be served.
 *
 * <p>The writer fsyncs a batch's index and data files in parallel, so a crash can leave
 * index entries of the last batch whose records never reached the data file. In the two
 * newest volumes (the only ones a batch appends blobs to; older ones only get tombstones,
 * whose header checksum covers them) the entries that may belong to the last batch are
 * therefore checked like scanned records, header and data checksum: walking back from the
 * last entry, at most the writer's batch limit of records, and only while the blob bytes of
 * the records after the one looked at (the last one not counted, which may have pushed a
 * batch over the limit) stay under the writer's batch byte limit. The first that fails and
 * everything after it is cut off as a torn tail: a crash tears only the last batch, none of
 * whose writes was acknowledged, and keeping a torn record indexed would let a retry of its
 * write pass as an identical rewrite. (Bit rot in that window is cut off the same way.)
 */
public final class VolumeLoader {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeLoader.class);
  private static final int SCAN_BUFFER = 4 << 20;

  private VolumeLoader() {}

  /** Creates an empty volume (generation 1), durably. */
  static Volume create(Path dir, int id) throws IOException {
    Path dat = dir.resolve(VolumeFormat.datName(id));
    Path idx = dir.resolve(VolumeFormat.idxName(id));
    FileChannel d = FileChannel.open(dat, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel x = FileChannel.open(idx, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    VolumeWriter.writeAt(d, ByteBuffer.wrap(VolumeFormat.superblock(VolumeFormat.DAT_MAGIC, id, 1)), 0);
    VolumeWriter.writeAt(x, ByteBuffer.wrap(VolumeFormat.superblock(VolumeFormat.IDX_MAGIC, id, 1)), 0);
    d.force(true);
    x.force(true);
    Device.fsyncDirectory(dir);
    return new Volume(id, dir, new VolumeFile(d), x, 1, VolumeFormat.SUPERBLOCK_SIZE, VolumeFormat.SUPERBLOCK_SIZE);
  }

  /**
   * Opens volume {@code id} in {@code dir}, repairing its tail, and applies its records to {@code index}.
   *
   * @param newest whether the volume is one of the device's two newest, whose last batch may
   *     hold blob records: those are checked in full
   */
  static Volume load(Path dir, int id, NeedleIndex index, boolean newest) throws IOException {
    Path dat = dir.resolve(VolumeFormat.datName(id));
    Path idx = dir.resolve(VolumeFormat.idxName(id));
    FileChannel d = FileChannel.open(dat, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel x = FileChannel.open(idx, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long datSize = d.size();
      ByteBuffer sb = read(d, 0, VolumeFormat.SUPERBLOCK_SIZE);
      long generation = VolumeFormat.readGeneration(sb, VolumeFormat.DAT_MAGIC, id);
      if (generation < 0) {
        if (datSize > VolumeFormat.SUPERBLOCK_SIZE) {
          throw new IOException("volume " + dat + " has a damaged superblock");
        }
        // Creation was cut short before anything was stored: start the volume afresh.
        generation = 1;
        d.truncate(0);
        VolumeWriter.writeAt(d, ByteBuffer.wrap(VolumeFormat.superblock(VolumeFormat.DAT_MAGIC, id, 1)), 0);
        d.force(true);
        datSize = VolumeFormat.SUPERBLOCK_SIZE;
      }
      long scanFrom = VolumeFormat.SUPERBLOCK_SIZE;
      long indexEnd = VolumeFormat.SUPERBLOCK_SIZE;
      long idxSize = x.size();
      ByteBuffer xsb = read(x, 0, VolumeFormat.SUPERBLOCK_SIZE);
      if (VolumeFormat.readGeneration(xsb, VolumeFormat.IDX_MAGIC, id) == generation) {
        long[] trusted = applyIndexFile(d, x, idxSize, datSize, index, newest);
        indexEnd = trusted[0];
        scanFrom = trusted[1];
      } else {
        LOG.info("index of volume {} in {} is missing or stale; rebuilding it from the data file", id, dir);
        x.truncate(0);
        VolumeWriter.writeAt(x, ByteBuffer.wrap(VolumeFormat.superblock(VolumeFormat.IDX_MAGIC, id, generation)), 0);
      }
      if (x.size() > indexEnd) {
        x.truncate(indexEnd);
      }
      long end = scanTail(d, x, scanFrom, datSize, index, indexEnd);
      long newIndexEnd = x.size();
      if (end < datSize) {
        LOG.warn("volume {} in {}: cut off {} bytes of torn or corrupt records at offset {}", id, dir,
            datSize - end, end);
        d.truncate(end);
      }
      d.force(true);
      x.force(true);
      return new Volume(id, dir, new VolumeFile(d), x, generation, end, newIndexEnd);
    } catch (IOException | RuntimeException e) {
      d.close();
      x.close();
      throw e;
    }
  }

  /** @return {index bytes trusted, data offset where the trusted records end} */
  private static long[] applyIndexFile(FileChannel d, FileChannel x, long idxSize, long datSize, NeedleIndex index,
      boolean newest) throws IOException {
    int entries = (int) ((idxSize - VolumeFormat.SUPERBLOCK_SIZE) / VolumeFormat.INDEX_ENTRY_SIZE);
    ByteBuffer all = read(x, VolumeFormat.SUPERBLOCK_SIZE, entries * VolumeFormat.INDEX_ENTRY_SIZE);
    // Find the longest prefix of entries that describe whole records inside the data file,
    // in append order, ending with a record whose header matches the entry.
    int valid = 0;
    long expected = VolumeFormat.SUPERBLOCK_SIZE;
    for (int i = 0; i < entries; i++) {
      int p = i * VolumeFormat.INDEX_ENTRY_SIZE;
      long offset = all.getLong(p + 8);
      long length = all.getLong(p + 16);
      int flags = all.getInt(p + 24);
      if (offset != expected || length < 0) {
        break;
      }
      long recEnd = offset + NeedleFormat.recordSize(flags, length);
      if (recEnd > datSize) {
        break;
      }
      expected = recEnd;
      valid = i + 1;
    }
    if (newest) {
      valid = firstTornOfLastBatch(d, all, valid);
    } else {
      while (valid > 0 && readMatchingHeader(d, all, valid - 1) == null) {
        valid--;
      }
    }
    long end = VolumeFormat.SUPERBLOCK_SIZE;
    int volumeId = read(d, 0, VolumeFormat.SUPERBLOCK_SIZE).getInt(4);
    for (int i = 0; i < valid; i++) {
      int p = i * VolumeFormat.INDEX_ENTRY_SIZE;
      long fid = all.getLong(p);
      long offset = all.getLong(p + 8);
      long length = all.getLong(p + 16);
      int flags = all.getInt(p + 24);
      apply(index, new NeedleLocation(fid, volumeId, offset, length, flags));
      end = offset + NeedleFormat.recordSize(flags, length);
    }
    return new long[] {VolumeFormat.SUPERBLOCK_SIZE + (long) valid * VolumeFormat.INDEX_ENTRY_SIZE, end};
  }

  /**
   * Checks header and data of the entries among the first {@code valid} that may belong to
   * the last write batch (see the class comment).
   *
   * @return the number of entries to keep: the index of the first that fails, else {@code valid}
   */
  private static int firstTornOfLastBatch(FileChannel d, ByteBuffer all, int valid) throws IOException {
    if (valid == 0) {
      return 0;
    }
    int first = valid - 1;
    long blobBytesAfter = 0; // of the entries in (first - 1, valid - 1), i.e. after the candidate but the last
    while (first > 0 && valid - (first - 1) <= VolumeWriter.MAX_BATCH_OPS) {
      long add = first <= valid - 2 ? blobBytes(all, first) : 0;
      if (blobBytesAfter + add >= VolumeWriter.MAX_BATCH_BYTES) {
        break;
      }
      blobBytesAfter += add;
      first--;
    }
    for (int i = first; i < valid; i++) {
      NeedleHeader h = readMatchingHeader(d, all, i);
      if (h == null || !bodyIntact(d, all.getLong(i * VolumeFormat.INDEX_ENTRY_SIZE + 8), h)) {
        LOG.warn("index entry {} of {} describes a record that never fully reached the data file", i, valid);
        return i;
      }
    }
    return valid;
  }

  /** Blob bytes an entry counted for in its write batch: tombstones and large-blob pointers count none. */
  private static long blobBytes(ByteBuffer all, int entry) {
    int flags = all.getInt(entry * VolumeFormat.INDEX_ENTRY_SIZE + 24);
    return (flags & (NeedleFormat.FLAG_TOMBSTONE | NeedleFormat.FLAG_LARGE)) != 0 ? 0
        : all.getLong(entry * VolumeFormat.INDEX_ENTRY_SIZE + 16);
  }

  /** The record header of index entry {@code entry} if it is intact and matches the entry, else null. */
  private static NeedleHeader readMatchingHeader(FileChannel d, ByteBuffer all, int entry) throws IOException {
    int p = entry * VolumeFormat.INDEX_ENTRY_SIZE;
    NeedleHeader h = NeedleFormat.decodeHeader(read(d, all.getLong(p + 8), NeedleFormat.HEADER_SIZE));
    return h != null && h.fid() == all.getLong(p) && h.length() == all.getLong(p + 16)
        && h.flags() == all.getInt(p + 24) ? h : null;
  }

  private static void apply(NeedleIndex index, NeedleLocation loc) {
    if ((loc.flags() & NeedleFormat.FLAG_TOMBSTONE) != 0) {
      index.remove(loc.fid());
    } else {
      index.put(loc);
    }
  }

  /** Scans records from {@code from}; appends their index entries; returns where valid records end. */
  private static long scanTail(FileChannel d, FileChannel x, long from, long datSize, NeedleIndex index, long indexEnd)
      throws IOException {
    int volumeId = read(d, 0, VolumeFormat.SUPERBLOCK_SIZE).getInt(4);
    long pos = from;
    long idxPos = indexEnd;
    ByteBuffer entry = ByteBuffer.allocate(VolumeFormat.INDEX_ENTRY_SIZE);
    while (pos + NeedleFormat.HEADER_SIZE <= datSize) {
      NeedleHeader h = NeedleFormat.decodeHeader(read(d, pos, NeedleFormat.HEADER_SIZE));
      if (h == null) {
        break;
      }
      long size = h.recordSize();
      if (pos + size > datSize || !bodyIntact(d, pos, h)) {
        break;
      }
      apply(index, new NeedleLocation(h.fid(), volumeId, pos, h.length(), h.flags()));
      entry.clear();
      VolumeFormat.putIndexEntry(entry, h.fid(), pos, h.length(), h.flags(), h.crc32c());
      entry.flip();
      VolumeWriter.writeAt(x, entry, idxPos);
      idxPos += VolumeFormat.INDEX_ENTRY_SIZE;
      pos += size;
    }
    return pos;
  }

  private static boolean bodyIntact(FileChannel d, long pos, NeedleHeader h) throws IOException {
    if (h.tombstone() || h.large()) {
      return true;
    }
    CRC32C c = new CRC32C();
    long done = 0;
    while (done < h.length()) {
      int n = (int) Math.min(SCAN_BUFFER, h.length() - done);
      c.update(read(d, pos + NeedleFormat.HEADER_SIZE + done, n));
      done += n;
    }
    return (int) c.getValue() == h.crc32c();
  }

  static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      int r = ch.read(b, pos + b.position());
      if (r < 0) {
        break;
      }
    }
    return b.flip();
  }

  /** Lists volume ids present in a device directory, ascending; removes compaction leftovers. */
  static int[] volumeIds(Path dir) throws IOException {
    java.util.List<Integer> ids = new java.util.ArrayList<>();
    try (var s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (n.startsWith("vol_") && (n.endsWith(".cpd") || n.endsWith(".cpx"))) {
          Files.delete(p); // an unfinished compaction; the original files are intact
        } else if (n.startsWith("vol_") && n.endsWith(".dat")) {
          ids.add(Integer.parseInt(n.substring(4, n.length() - 4)));
        }
      }
    }
    return ids.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
