package io.mogul.chaos.traffic;

import java.util.List;

/**
 * The file operations the workload drives, implemented over the real client. Each call
 * either returns its result or throws {@code MogulException}.
 */
public interface ClusterOps {
  void put(String domain, String key, byte[] data);

  /** The bytes of the key; throws UNKNOWN_KEY when absent. */
  byte[] get(String domain, String key);

  /** Throws UNKNOWN_KEY when absent. */
  void delete(String domain, String key);

  /** Throws UNKNOWN_KEY when {@code from} is absent, KEY_EXISTS when {@code to} exists. */
  void rename(String domain, String from, String to);

  /** Up to {@code limit} keys under a prefix. */
  List<String> list(String domain, String prefix, int limit);
}
