package io.mogul.gateway.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Configuration of the HTTP gateway, read from YAML by {@code ConfigLoader}. Every key,
 * its default and its meaning is documented in {@code config/gateway.yaml}.
 */
public class GatewayConfig {
  /** host:port the HTTP server listens on. */
  public String listen = "127.0.0.1:8080";
  /** Tracker client addresses (host:port). */
  public List<String> trackers = new ArrayList<>(List.of("127.0.0.1:7001"));
  /** Let any tracker answer the gateway's lookups from its own replica. */
  public boolean staleReads = false;
  /** Cache-Control header sent with every file; empty sends none. */
  public String cacheControl = "public, max-age=300";
  /** Bearer token that enables PUT and DELETE; empty keeps them off (405). */
  public String writeToken = "";
  /** Threads doing blocking cluster calls and streaming bodies. */
  public int workerThreads = 64;
  /** Size of each body chunk written to a connection. */
  public int chunkBytes = 64 * 1024;
  /** How often the dashboard refreshes itself. */
  public int uiRefreshMs = 2000;
  /** The key-to-version cache and the small-blob content cache. */
  public Cache cache = new Cache();

  /** Settings of the gateway's read caches ({@code cache.*} in the YAML). */
  public static class Cache {
    /**
     * How long a key's version (fid, length, checksum, type, time, locations) is reused
     * without asking a tracker, in ms. A key overwritten or deleted by another client can
     * be served in its old version for up to this long; 0 disables the cache.
     */
    public long metadataTtlMs = 5000;
    /** Most key versions held. */
    public long metadataMaxEntries = 100_000;
    /** Files up to this many bytes have their content cached by fid; 0 caches none. */
    public int maxBlobBytes = 1024 * 1024;
    /** Total bytes of cached file content; 0 disables the content cache. */
    public long maxBytes = 256L * 1024 * 1024;
  }
}
