package io.mogul.gateway.source;

import java.io.InputStream;

/**
 * Where the gateway reads and writes files. Implementations are thread-safe; every call
 * may block and is made off the network event loop. Failures are {@code MogulException}s
 * with their reason (UNKNOWN_KEY, UNKNOWN_DOMAIN, UNAVAILABLE, CHECKSUM_MISMATCH, ...).
 */
public interface FileSource {
  /** The current version of {@code domain/key}. */
  StoredFile stat(String domain, String key);

  /**
   * Streams {@code [offset, offset + length)} of exactly the given version, trying its
   * copies in order. Bytes that fail their checksum are never returned: the stream
   * throws instead. The caller closes the stream.
   */
  InputStream open(StoredFile file, long offset, long length);

  /** Stores a new version of {@code domain/key} from a body of known or unknown (-1) length. */
  StoredFile put(String domain, String key, InputStream body, long length, String contentType);

  /** Deletes {@code domain/key}; UNKNOWN_KEY when it does not exist. */
  void delete(String domain, String key);
}
