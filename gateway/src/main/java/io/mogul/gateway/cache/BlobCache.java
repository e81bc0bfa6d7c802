package io.mogul.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.common.MogulException;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import io.mogul.proto.ErrorReason;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * The content of small files, by fid. A fid names one immutable version, so cached bytes
 * never go stale; the cache is bounded by the total bytes it holds and drops the least
 * useful entries first. Only whole files whose bytes matched their CRC32C are cached.
 *
 * <p>The arrays handed out are shared and must never be written to.
 */
public final class BlobCache {
  private record Blob(int crc32c, byte[] data) {}

  /** Null when disabled. */
  private final Cache<Long, Blob> cache;
  private final int maxBlobBytes;
  private final CacheMetrics metrics;
  private final Counter rejected;

  /**
   * @param maxBytes total content bytes held; 0 disables the cache
   * @param maxBlobBytes largest file whose content is cached; 0 disables the cache
   */
  public BlobCache(long maxBytes, int maxBlobBytes, MeterRegistry registry) {
    if (maxBytes < 0 || maxBlobBytes < 0) {
      throw new IllegalArgumentException("cache.maxBytes and cache.maxBlobBytes must be >= 0");
    }
    this.maxBlobBytes = maxBlobBytes;
    this.metrics = new CacheMetrics(registry, "blob");
    this.rejected = Counter.builder("mogul.gateway.cache.rejected").tag("cache", "blob")
        .description("File contents not cached because they failed their CRC32C").register(registry);
    if (maxBytes == 0 || maxBlobBytes == 0) {
      this.cache = null;
      return;
    }
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .<Long, Blob>weigher((fid, blob) -> blob.data().length)
        .evictionListener((fid, blob, cause) -> metrics.evicted())
        .build();
    metrics.gauge("entries", cache::estimatedSize);
    metrics.gauge("bytes", () -> cache.policy().eviction().orElseThrow().weightedSize().orElse(0));
  }

  /** Whether this version's content is small enough to be cached (and caching is on). */
  public boolean eligible(StoredFile file) {
    return cache != null && file.length() > 0 && file.length() <= maxBlobBytes;
  }

  /**
   * The cached content of exactly this version, or null. Never blocks, so the network
   * event loop may call it. Counts a hit or a miss for an {@link #eligible} version.
   */
  public byte[] get(StoredFile file) {
    if (!eligible(file)) {
      return null;
    }
    Blob blob = cache.getIfPresent(file.fid());
    if (blob == null || blob.crc32c() != file.crc32c() || blob.data().length != file.length()) {
      metrics.miss();
      return null;
    }
    metrics.hit();
    return blob.data();
  }

  /**
   * Reads the whole version from {@code source} (blocking), checks it against its CRC32C
   * and caches it. Bytes that fail the check are neither cached nor returned.
   *
   * @throws MogulException CHECKSUM_MISMATCH when the bytes do not match the version's CRC32C
   * @throws IOException when the source fails or ends early
   */
  public byte[] fill(FileSource source, StoredFile file) throws IOException {
    if (!eligible(file)) {
      throw new IllegalArgumentException("fid " + file.fid() + " of " + file.length() + " bytes is not cacheable");
    }
    byte[] data = new byte[(int) file.length()];
    try (InputStream in = source.open(file, 0, file.length())) {
      int n = in.readNBytes(data, 0, data.length);
      if (n < data.length) {
        throw new EOFException("stored file ended after " + n + " of " + data.length + " bytes");
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(data);
    if ((int) crc.getValue() != file.crc32c()) {
      rejected.increment();
      throw new MogulException(ErrorReason.CHECKSUM_MISMATCH, "fid " + file.fid()
          + ": the bytes read do not match the stored CRC32C " + Integer.toHexString(file.crc32c()));
    }
    cache.put(file.fid(), new Blob(file.crc32c(), data));
    return data;
  }
}
