package io.mogul.datanode.storage;

import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All devices of a datanode and the rules of which may be written or read: new blobs only
 * go to devices that are ALIVE, healthy and above their reserve on a host that is not
 * read-only; DOWN and DEAD devices, and devices that could not be opened, are not served at
 * all. Also runs background compaction
 * of volumes whose garbage share passes the configured ratio.
 */
public final class Store implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Store.class);

  private final Path dataDir;
  private final DatanodeConfig config;
  private final Map<Integer, Device> devices = new ConcurrentHashMap<>();
  private final ScheduledExecutorService compaction;
  private volatile HostState hostState = HostState.HOST_ALIVE;

  private Store(Path dataDir, DatanodeConfig config) {
    this.dataDir = dataDir;
    this.config = config;
    this.compaction = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "volume-compaction");
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens the store with the given devices (creating their directories when new). */
  public static Store open(DatanodeConfig config, Collection<Integer> deviceIds) throws IOException {
    Path dataDir = Path.of(config.dataDir);
    Files.createDirectories(dataDir);
    Store s = new Store(dataDir, config);
    try {
      for (int id : deviceIds) {
        s.addDevice(id);
      }
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    long every = Math.max(1000, config.storage.compactionCheckIntervalMs);
    s.compaction.scheduleWithFixedDelay(s::compactGarbageVolumes, every, every, TimeUnit.MILLISECONDS);
    return s;
  }

  /** Device ids with a {@code dev<ID>} directory under {@code dataDir}, ascending. */
  public static List<Integer> deviceIdsOnDisk(Path dataDir) throws IOException {
    List<Integer> ids = new ArrayList<>();
    if (!Files.isDirectory(dataDir)) {
      return ids;
    }
    try (var s = Files.list(dataDir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (n.matches("dev[0-9]{1,9}") && Files.isDirectory(p)) {
          ids.add(Integer.parseInt(n.substring(3)));
        }
      }
    }
    ids.sort(null);
    return ids;
  }

  /**
   * Opens a device (creating its directory when new). A device that cannot be opened does
   * not stop the datanode: it is kept as down (reported unhealthy, not served) so the other
   * devices go on serving.
   */
  public synchronized void addDevice(int id) {
    if (!devices.containsKey(id)) {
      Path dir = dataDir.resolve("dev" + id);
      Device d;
      try {
        d = Device.open(id, dir, config.storage.volumeSizeBytes, config.reserveBytes,
            config.storage.groupCommitWaitMicros, config.storage.directWriteBytes);
      } catch (IOException | RuntimeException e) {
        LOG.error("device {} in {} cannot be opened; it is reported unhealthy and not served", id, dir, e);
        d = Device.unopened(id, dir, config.reserveBytes, e);
      }
      devices.put(id, d);
    }
  }

  public Collection<Device> devices() {
    return new TreeMap<>(devices).values();
  }

  public DatanodeConfig config() {
    return config;
  }

  public void setHostState(HostState state) {
    hostState = state;
  }

  /** Applies an admin state from the trackers; unknown devices are ignored. */
  public void setDeviceState(int deviceId, DeviceState state) {
    Device d = devices.get(deviceId);
    if (d != null && state != DeviceState.DEVICE_STATE_UNSPECIFIED && d.state() != state) {
      LOG.info("device {} is now {}", deviceId, state);
      d.setState(state);
    }
  }

  public Device device(int id) {
    Device d = devices.get(id);
    if (d == null) {
      throw new MogulException(ErrorReason.UNKNOWN_DEVICE, "device " + id + " is not on this datanode");
    }
    return d;
  }

  /** The device if it may be read from. */
  public Device readable(int id) {
    Device d = device(id);
    if (d.openFailure() != null) {
      throw new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "device " + id + " is down: " + d.openFailure());
    }
    DeviceState s = d.state();
    if (s == DeviceState.DEVICE_DOWN || s == DeviceState.DEVICE_DEAD || hostState == HostState.HOST_DOWN
        || hostState == HostState.HOST_DEAD) {
      throw new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "device " + id + " is " + s + " and not served");
    }
    return d;
  }

  /** The device if new blobs may be written to it. */
  public Device writable(int id) {
    Device d = readable(id);
    if (d.state() != DeviceState.DEVICE_ALIVE || hostState == HostState.HOST_READONLY) {
      throw new MogulException(ErrorReason.DEVICE_UNAVAILABLE,
          "device " + id + " takes no new blobs (" + d.state() + ", host " + hostState + ")");
    }
    if (d.error() != null && !d.probe()) { // a transient error clears once the device works again
      throw new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "device " + id + " is unhealthy: " + d.error());
    }
    d.checkSpace(0);
    return d;
  }

  private static void checkFid(long fid) {
    if (fid == 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fid 0 is never allocated");
    }
  }

  /** Starts receiving a streamed blob for a writable device. */
  public BlobReceiver receive(int deviceId, long fid) {
    checkFid(fid);
    return new BlobReceiver(writable(deviceId), fid, config.storage.writeBufferBytes,
        config.storage.largeBlobThresholdBytes);
  }

  /** Writes a whole in-memory blob; completes once it is fsync'ed. {@code data} must not change until then. */
  public CompletableFuture<NeedleLocation> writeSmall(int deviceId, long fid, ByteBuffer data) {
    checkFid(fid);
    if (data.remaining() > config.storage.largeBlobThresholdBytes) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "blob too large for a single-message write");
    }
    return writable(deviceId).writer().append(fid, NeedleBody.of(data));
  }

  /**
   * Writes a whole in-memory blob after checking it against the sender's CRC32C; completes
   * once it is fsync'ed. {@code data} must not change until then.
   */
  public CompletableFuture<NeedleLocation> writeSmall(int deviceId, long fid, ByteBuffer data, int expectedCrc) {
    checkFid(fid);
    if (data.remaining() > config.storage.largeBlobThresholdBytes) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "blob too large for a single-message write");
    }
    NeedleBody.InMemory body = NeedleBody.of(data);
    if (body.crc32c() != expectedCrc) {
      throw new MogulException(ErrorReason.CHECKSUM_MISMATCH, "fid " + Long.toUnsignedString(fid)
          + ": data has CRC32C " + Integer.toUnsignedString(body.crc32c()) + ", sender says "
          + Integer.toUnsignedString(expectedCrc));
    }
    return writable(deviceId).writer().append(fid, body);
  }

  /** Commits a received body; completes once data and index entry are fsync'ed. */
  public CompletableFuture<NeedleLocation> commit(int deviceId, long fid, NeedleBody body) {
    Device d;
    try {
      d = writable(deviceId);
    } catch (MogulException e) {
      body.discard();
      if (body instanceof NeedleBody.Large large && large.placed()) {
        device(deviceId).deleteLargeFile(fid);
      }
      throw e;
    }
    return d.writer().append(fid, body);
  }

  /** Writes a tombstone; completes with whether the fid was stored. */
  public CompletableFuture<Boolean> delete(int deviceId, long fid) {
    checkFid(fid);
    return readable(deviceId).writer().delete(fid);
  }

  public NeedleReader.OpenNeedle open(int deviceId, long fid) throws IOException {
    checkFid(fid);
    return readable(deviceId).reader().open(fid);
  }

  /** Compacts one sealed volume now. */
  public VolumeCompactor.Result compact(int deviceId, int volumeId) throws IOException {
    return VolumeCompactor.compact(device(deviceId), volumeId);
  }

  private void compactGarbageVolumes() {
    for (Device d : devices()) {
      for (Volume v : List.copyOf(d.volumes())) {
        if (d.isSealed(v) && v.garbageRatio() > config.storage.compactionGarbageRatio) {
          try {
            VolumeCompactor.compact(d, v.id());
          } catch (IOException | RuntimeException e) {
            LOG.warn("compaction of device {} volume {} failed", d.id(), v.id(), e);
          }
        }
      }
    }
  }

  @Override
  public void close() {
    compaction.shutdown(); // no interrupt: it would close the volume channels a compaction reads
    try {
      compaction.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Device d : devices.values()) {
      try {
        d.close();
      } catch (IOException e) {
        LOG.warn("closing device {} failed", d.id(), e);
      }
    }
  }
}
