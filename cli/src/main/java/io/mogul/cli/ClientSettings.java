package io.mogul.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Contents of {@code ~/.mogul.yaml}, the command line's defaults; documented in
 * {@code config/client.yaml}.
 */
public class ClientSettings {
  /** Tracker client addresses (host:port). */
  public List<String> trackers = new ArrayList<>();
  /** Deadline of one tracker call. */
  public long callTimeoutMs = 10_000;
  /** Deadline of a whole operation (a put or get of any size, retries included). */
  public long operationTimeoutMs = 300_000;
  /** Attempts per call before a retriable failure is reported. */
  public int retryAttempts = 200;
  /** Longest time one call keeps retrying (a tracker leader election takes a few seconds). */
  public long retryTimeoutMs = 30_000;
  /** Let any tracker answer lookups from its own replica (may miss the newest writes). */
  public boolean staleReads = false;
}
