package io.mogul.datanode.storage;

import io.mogul.common.MogulException;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device: a directory {@code dev<ID>} with volume files, a {@code large/} directory for
 * blobs stored on their own and a {@code tmp/} directory for uploads in progress. Owns the
 * device's index, its single writer and its health and admin state.
 *
 * <p>Health: a device is unhealthy while its last write or probe failed (a working probe
 * clears that, unless a failed batch could not be undone), for {@link #READ_ERROR_HOLD_MS}
 * after a read of its files failed with an I/O error (a checksum mismatch is damage of one
 * blob, reported with the blob, not an I/O error), and for good when it could not be opened
 * at start-up ({@link #unopened}): such a device holds no blobs and is not served.
 */
public final class Device implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Device.class);
  /**
   * How long a read I/O error keeps the device reported unhealthy: the probe writes and reads
   * a file of its own, so its success says nothing about the volume files that failed; long
   * enough for the trackers to see it and stop sending work, short enough that a passing
   * error does not keep a device out for long.
   */
  static final long READ_ERROR_HOLD_MS = 60_000;

  /** A record pinned for reading: its location and a retained reference to its data file. */
  record Pinned(NeedleLocation location, VolumeFile file) {}

  private final int id;
  private final Path dir;
  private final long reserveBytes;
  private final NeedleIndex index = new NeedleIndex();
  private final ConcurrentSkipListMap<Integer, Volume> volumes = new ConcurrentSkipListMap<>();
  private final NeedleReader reader = new NeedleReader(this);
  private final FileStore fileStore;
  /** Why the device could not be opened; null for a device that was. */
  private final String openFailure;
  private VolumeWriter writer;
  private volatile DeviceState state = DeviceState.DEVICE_ALIVE;
  private volatile String lastError;
  private volatile boolean fatal;
  private volatile String readError;
  private volatile long readErrorAtMs;
  private long lastBusyNanos;
  private long lastLoadSampleNanos = System.nanoTime();

  private Device(int id, Path dir, long reserveBytes, FileStore fileStore, String openFailure) {
    this.id = id;
    this.dir = dir;
    this.reserveBytes = reserveBytes;
    this.fileStore = fileStore;
    this.openFailure = openFailure;
    this.lastError = openFailure;
  }

  /**
   * A device whose directory could not be opened: reported unhealthy with {@code why} and
   * refused for reads and writes (see {@link Store#readable}), while the datanode's other
   * devices go on serving. It stays so until the datanode is restarted.
   */
  static Device unopened(int id, Path dir, long reserveBytes, Exception why) {
    FileStore fs;
    try {
      fs = Files.getFileStore(dir);
    } catch (IOException e) {
      fs = null; // capacity and usage are reported as 0
    }
    return new Device(id, dir, reserveBytes, fs, "cannot open device: " + why);
  }

  /** Why the device could not be opened at start-up; null when it was opened. */
  public String openFailure() {
    return openFailure;
  }

  /** Opens (creating if needed) the device in {@code dir}, loading and repairing its volumes. */
  public static Device open(int id, Path dir, long volumeSizeBytes, long reserveBytes, long commitWaitMicros,
      long directWriteBytes) throws IOException {
    Files.createDirectories(dir.resolve("large"));
    Files.createDirectories(dir.resolve("tmp"));
    Device d = new Device(id, dir, reserveBytes, Files.getFileStore(dir), null);
    try {
      try (var s = Files.list(d.tmpDir())) {
        for (Path p : (Iterable<Path>) s::iterator) {
          Files.deleteIfExists(p); // uploads cut off by a crash never became visible
        }
      }
      int[] ids = VolumeLoader.volumeIds(dir);
      for (int i = 0; i < ids.length; i++) {
        d.volumes.put(ids[i], VolumeLoader.load(dir, ids[i], d.index, i >= ids.length - 2));
      }
      if (d.volumes.isEmpty()) {
        d.volumes.put(1, VolumeLoader.create(dir, 1));
      }
      d.computeGarbage();
      d.removeOrphanLargeFiles();
    } catch (IOException | RuntimeException e) {
      for (Volume v : d.volumes.values()) {
        try {
          v.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
    d.writer = new VolumeWriter(d, volumeSizeBytes, commitWaitMicros, directWriteBytes);
    return d;
  }

  private void computeGarbage() {
    java.util.Map<Integer, long[]> live = new java.util.HashMap<>();
    index.forEach(loc -> live.computeIfAbsent(loc.volumeId(), k -> new long[1])[0] +=
        NeedleFormat.recordSize(loc.flags(), loc.length()));
    for (Volume v : volumes.values()) {
      long used = v.end() - VolumeFormat.SUPERBLOCK_SIZE;
      long l = live.getOrDefault(v.id(), new long[1])[0];
      v.addGarbage(Math.max(0, used - l));
    }
  }

  private void removeOrphanLargeFiles() throws IOException {
    Set<String> live = new HashSet<>();
    index.forEach(loc -> {
      if ((loc.flags() & NeedleFormat.FLAG_LARGE) != 0) {
        live.add(VolumeFormat.largeName(loc.fid()));
      }
    });
    try (var s = Files.list(largeDir())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (!live.contains(p.getFileName().toString())) {
          LOG.info("device {}: removing large blob file {} that no volume refers to", id, p);
          Files.deleteIfExists(p);
        }
      }
    }
  }

  public int id() {
    return id;
  }

  public Path dir() {
    return dir;
  }

  Path largeDir() {
    return dir.resolve("large");
  }

  Path tmpDir() {
    return dir.resolve("tmp");
  }

  Path largeFile(long fid) {
    return largeDir().resolve(VolumeFormat.largeName(fid));
  }

  public NeedleIndex index() {
    return index;
  }

  public NeedleReader reader() {
    return reader;
  }

  public VolumeWriter writer() {
    return writer;
  }

  Volume volume(int volumeId) {
    Volume v = volumes.get(volumeId);
    if (v == null) {
      throw new MogulException(ErrorReason.INTERNAL, "device " + id + " has no volume " + volumeId);
    }
    return v;
  }

  public Collection<Volume> volumes() {
    return volumes.values();
  }

  /** The volume new blobs go to (the highest id); every other volume is sealed. */
  Volume activeVolume() {
    return volumes.lastEntry().getValue();
  }

  boolean isSealed(Volume v) {
    return v != activeVolume();
  }

  /** Starts a new active volume; writer thread only. */
  Volume createVolume() throws IOException {
    int next = volumes.lastKey() + 1;
    Volume v = VolumeLoader.create(dir, next);
    volumes.put(next, v);
    return v;
  }

  /** Pins the current record of {@code fid}; null when it is not stored. */
  Pinned pin(long fid) {
    for (int attempt = 0; attempt < 8; attempt++) {
      NeedleLocation loc = index.get(fid);
      if (loc == null) {
        return null;
      }
      Volume v = volume(loc.volumeId());
      v.swapLock().readLock().lock();
      try {
        NeedleLocation again = index.get(fid);
        if (!loc.equals(again)) {
          continue; // moved or deleted meanwhile; look again
        }
        VolumeFile f = v.file().retain();
        if (f != null) {
          return new Pinned(loc, f);
        }
      } finally {
        v.swapLock().readLock().unlock();
      }
    }
    throw new MogulException(ErrorReason.UNAVAILABLE, "fid " + Long.toUnsignedString(fid) + " keeps moving; retry");
  }

  public long reserveBytes() {
    return reserveBytes;
  }

  public long usableBytes() {
    if (fileStore == null) {
      return 0;
    }
    try {
      return fileStore.getUsableSpace();
    } catch (IOException e) {
      noteError("cannot read free space", e);
      return 0;
    }
  }

  public long totalBytes() {
    if (fileStore == null) {
      return 0;
    }
    try {
      return fileStore.getTotalSpace();
    } catch (IOException e) {
      noteError("cannot read capacity", e);
      return 0;
    }
  }

  /** True when free space is below the reserve: the device takes no new blobs. */
  public boolean full() {
    return usableBytes() < reserveBytes;
  }

  /** Refuses a write of {@code bytes} more when it would eat into the reserve. */
  public void checkSpace(long bytes) {
    if (usableBytes() - bytes < reserveBytes) {
      throw new MogulException(ErrorReason.DEVICE_FULL,
          "device " + id + " has less than its reserve of " + reserveBytes + " bytes free");
    }
  }

  public DeviceState state() {
    return state;
  }

  public void setState(DeviceState state) {
    this.state = state;
  }

  void noteError(String what, Exception e) {
    lastError = what + ": " + e;
    LOG.warn("device {}: {}", id, what, e);
  }

  /**
   * An error after which the device's files may be inconsistent (a failed batch could not be
   * undone): the device stays unhealthy until it is reopened.
   */
  void noteFatal(String what, Exception e) {
    fatal = true;
    noteError(what, e);
  }

  /**
   * A read of the device's files failed with an I/O error: the device is reported unhealthy
   * for {@link #READ_ERROR_HOLD_MS} from the last such error.
   */
  void noteReadError(String what, IOException e) {
    readError = what + ": " + e;
    readErrorAtMs = System.currentTimeMillis();
    LOG.warn("device {}: {}", id, what, e);
  }

  void noteSuccess() {
    if (!fatal && openFailure == null) {
      lastError = null;
    }
  }

  /** Null when the device is healthy, else the error that makes it unhealthy. */
  public String error() {
    String e = lastError;
    if (e != null) {
      return e;
    }
    String r = readError;
    return r != null && System.currentTimeMillis() - readErrorAtMs < READ_ERROR_HOLD_MS ? r : null;
  }

  /** Writes, syncs and reads back a probe file; marks the device unhealthy when that fails. */
  public boolean probe() {
    if (openFailure != null) {
      return false;
    }
    Path p = dir.resolve(".probe");
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(8).putLong(0, System.nanoTime());
      ch.write(b.duplicate(), 0);
      ch.force(false);
      ByteBuffer back = ByteBuffer.allocate(8);
      ch.read(back, 0);
      if (back.getLong(0) != b.getLong(0)) {
        throw new IOException("probe read back different bytes");
      }
      // A working probe clears transient errors (e.g. a full disk that has space again).
      noteSuccess();
      return error() == null;
    } catch (IOException e) {
      noteError("probe failed", e);
      return false;
    }
  }

  /** Share of wall time the writer spent writing and syncing since the last call, 0..1. */
  public synchronized double ioLoad() {
    if (writer == null) {
      return 0; // never opened
    }
    long now = System.nanoTime();
    long busy = writer.busyNanos();
    double load = (double) (busy - lastBusyNanos) / Math.max(1, now - lastLoadSampleNanos);
    lastBusyNanos = busy;
    lastLoadSampleNanos = now;
    return Math.max(0, Math.min(1, load));
  }

  /** Called by the writer once a delete is durable. */
  void afterDelete(NeedleLocation removed) {
    if ((removed.flags() & NeedleFormat.FLAG_LARGE) != 0) {
      deleteLargeFile(removed.fid());
    }
  }

  void deleteLargeFile(long fid) {
    try {
      Files.deleteIfExists(largeFile(fid));
    } catch (IOException e) {
      noteError("cannot delete large blob file of fid " + Long.toUnsignedString(fid), e);
    }
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
    for (Volume v : volumes.values()) {
      v.close();
    }
  }
}
