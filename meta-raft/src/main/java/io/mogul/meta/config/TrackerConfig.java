package io.mogul.meta.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of one tracker, read from YAML by {@code ConfigLoader}. Every key, its
 * default and its meaning is documented in {@code config/tracker.yaml}; keep the two in step.
 */
public class TrackerConfig {
  /** Raft peer id of this tracker; must be one of {@link #peers}. */
  public String id = "t1";
  /** Directory for the Raft log, snapshots and the RocksDB state. Created if missing. */
  public String dataDir = "data/t1";
  /** host:port serving the client, admin and registry gRPC APIs. */
  public String listen = "127.0.0.1:7001";
  /** host:port serving Prometheus metrics at /metrics; empty serves none. */
  public String metricsListen = "";
  /** host:port for Raft traffic between trackers. */
  public String raftListen = "127.0.0.1:7101";
  /** Raft group id; every tracker of a cluster uses the same UUID. */
  public String groupId = "02511e3c-6d6f-6775-6c00-747261636b72";
  /** Every tracker of the group, this one included. */
  public List<Peer> peers = new ArrayList<>(List.of(new Peer("t1", "127.0.0.1:7001", "127.0.0.1:7101")));
  public Raft raft = new Raft();
  public Uploads uploads = new Uploads();
  public Monitor monitor = new Monitor();

  /** One tracker of the group. */
  public static class Peer {
    public String id;
    /** Client gRPC address (what {@code listen} is on that tracker). */
    public String address;
    /** Raft address (what {@code raftListen} is on that tracker). */
    public String raftAddress;

    public Peer() {}

    public Peer(String id, String address, String raftAddress) {
      this.id = id;
      this.address = address;
      this.raftAddress = raftAddress;
    }
  }

  /** Raft tuning. */
  public static class Raft {
    /** Lower bound of the randomized election timeout. */
    public int electionTimeoutMinMs = 1000;
    /** Upper bound of the randomized election timeout. */
    public int electionTimeoutMaxMs = 2000;
    /** Take a snapshot (RocksDB checkpoint) after this many applied entries. */
    public long snapshotThreshold = 50_000;
    /** Most file commands the leader gathers into one log entry. */
    public int batchMaxCommands = 1024;
    /** Most batched log entries in flight at once. */
    public int batchMaxInFlight = 2;
    /** Log entries kept behind a snapshot before the log is purged up to it. */
    public int purgeGap = 1024;
    /** Size at which a Raft log segment is closed; only closed segments are purged. */
    public long segmentSizeBytes = 8L * 1024 * 1024;
    /** Serve linearizable reads on the leader from its lease instead of a heartbeat round. */
    public boolean leaderLease = true;
  }

  /** Open uploads and fid allocation. */
  public static class Uploads {
    /** An upload not closed within this time expires; its blobs are garbage collected. */
    public long expirySeconds = 3600;
    /** Fids the leader reserves through the log at a time. */
    public long fidReserveBatch = 100_000;
    /** How often the leader looks for expired uploads. */
    public long expiryCheckSeconds = 30;
    /** Most open uploads the leader holds in memory; opens beyond it are refused (UNAVAILABLE). */
    public int maxOpen = 200_000;
  }

  /** Datanode liveness. */
  public static class Monitor {
    /** A host whose last heartbeat is older than this is unreachable. */
    public long heartbeatTimeoutMs = 10_000;
    /** How often the leader considers persisting observed device capacity and usage. */
    public long usageCheckSeconds = 5;
    /** Persist a device's usage when it moved by more than this share of its capacity... */
    public double usageChangeRatio = 0.01;
    /** ...or when its persisted usage is older than this and differs. */
    public long usageMaxAgeSeconds = 30;
  }
}
