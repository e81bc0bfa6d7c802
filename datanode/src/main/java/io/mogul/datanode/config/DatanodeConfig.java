package io.mogul.datanode.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of one datanode, read from YAML by {@code ConfigLoader}. Every key, its
 * default and its meaning is documented in {@code config/datanode.yaml}; keep the two in step.
 */
public class DatanodeConfig {
  /** Host name registered with the trackers; stable across restarts. [a-z0-9._-]{1,64} */
  public String hostName = "dn1";
  /** host:port serving the DataNode gRPC API; the address is advertised to the trackers. */
  public String listen = "127.0.0.1:7501";
  /** host:port serving Prometheus metrics at /metrics; empty serves none. */
  public String metricsListen = "";
  /** Zone of this host, for zone-aware placement. */
  public String zone = "";
  /** Directory holding one {@code dev<ID>} directory per device. */
  public String dataDir = "data/dn1";
  /** Devices this host should have; new device directories are created on first start. */
  public int devices = 2;
  /** Tracker client addresses (host:port); any of them is enough to register. */
  public List<String> trackers = new ArrayList<>(List.of("127.0.0.1:7001"));
  /** Writes are refused once a device's free space drops below this. */
  public long reserveBytes = 256L * 1024 * 1024;
  /** How often the datanode reports to the trackers. */
  public long heartbeatIntervalMs = 1000;
  /**
   * Address advertised to the trackers; empty means the listen host with the bound port
   * (or the host name when listening on every interface).
   */
  public String advertiseAddress = "";
  /** How long start-up keeps trying the trackers before giving up (0: forever). */
  public long registrationTimeoutMs = 300_000;
  public Storage storage = new Storage();
  public Server server = new Server();
  /** Deliberate defects for testing the chaos harness's checker; never set in production. */
  public Unsafe unsafe = new Unsafe();

  /** Volume engine tuning. */
  public static class Storage {
    /** A volume file is sealed and a new one started past this size. */
    public long volumeSizeBytes = 1L << 30;
    /** Blobs larger than this are stored in a file of their own. */
    public long largeBlobThresholdBytes = 64L * 1024 * 1024;
    /** Compact a sealed volume once this share of it is garbage. */
    public double compactionGarbageRatio = 0.3;
    /** Chunk size of streamed reads. */
    public int readChunkBytes = 1024 * 1024;
    /** A streamed upload is held in memory up to this size, then spilled to a temporary file. */
    public int writeBufferBytes = 4 * 1024 * 1024;
    /**
     * Longest a device's writer waits for more concurrent writes to join a group commit
     * (only when fewer are queued than took part in the previous one); 0 disables it.
     */
    public long groupCommitWaitMicros = 300;
    /**
     * In-memory blobs (up to {@code writeBufferBytes}) of at least this size have their
     * records' whole blocks written past the page cache ({@code O_DIRECT}), which costs far
     * less CPU than filling fresh cache pages; reads of them then start from the disk. 0
     * writes everything through the page cache.
     */
    public long directWriteBytes = 256 * 1024;
    /** How often sealed volumes are checked for compaction. */
    public long compactionCheckIntervalMs = 60_000;
  }

  /** Serving of the DataNode gRPC API. */
  public static class Server {
    /**
     * Items of one {@code WriteSmallStream} call the datanode holds unacknowledged (received,
     * being checked or written, or acknowledged but the ack not yet taken by the transport)
     * before it stops reading the stream; bounds a stream's memory to this many messages.
     */
    public int maxPipelinedWrites = 64;
    /**
     * Items of one {@code ReadSmallStream} call the datanode holds outstanding (received,
     * being read, or answered but the reply not yet taken by the transport) before it stops
     * reading the stream; bounds a stream's memory to this many replies (each at most 1 MiB
     * of blob data).
     */
    public int maxPipelinedReads = 64;
    /**
     * Threads that read blobs for {@code Read} calls and {@code ReadSmallStream} items (open,
     * checksum, send), so a read that waits for the disk never stalls a transport thread
     * (a {@code ReadSmallStream} call hands over its items in batches, not one task each); 0
     * reads on the transport threads (the default: for reads served from the page cache the
     * hand-off costs more than it saves, see datanode/BENCHMARKS.md).
     */
    public int readThreads = 0;
    /**
     * Reads waiting for a read thread beyond which a new read runs on the transport thread
     * itself (which holds back further requests on that connection until it is done).
     */
    public int maxQueuedReads = 4096;
  }

  /** Deliberate defects, off by default, that exist only so the chaos harness can prove it catches them. */
  public static class Unsafe {
    /** Acknowledge writes before storing them: small ones are stored 10 s later, streamed ones never. */
    public boolean acknowledgeBeforeWriting = false;
  }
}
