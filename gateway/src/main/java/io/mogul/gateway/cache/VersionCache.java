package io.mogul.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.gateway.http.KeyPath;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Which version of a key the gateway serves: a bounded cache of {@code domain/key} to its
 * {@link StoredFile} (fid, length, checksum, type, time, locations), each entry reused for
 * a fixed time after the tracker lookup that produced it.
 *
 * <p>Staleness: a key overwritten or deleted by another client can be served in its old
 * version for up to the time to live. A PUT or DELETE through this gateway drops the key's
 * entry before its response is sent, and a lookup that was in flight while any such write
 * finished is not cached, so this gateway's own writes are visible to every later request.
 * A time to live of 0 disables the cache: every request asks a tracker.
 */
public final class VersionCache {
  private final FileSource source;
  /** Null when disabled. */
  private final Cache<KeyPath, StoredFile> cache;
  /** Counts finished writes through this gateway; a lookup overlapping one is not cached. */
  private final AtomicLong writes = new AtomicLong();
  private final CacheMetrics metrics;
  private final Counter refreshes;

  /**
   * @param ttlMs how long an entry is reused; 0 disables the cache
   * @param clock nanosecond clock that ages the entries ({@code System::nanoTime} outside tests)
   */
  public VersionCache(FileSource source, long ttlMs, long maxEntries, LongSupplier clock, MeterRegistry registry) {
    if (ttlMs < 0 || maxEntries < 0) {
      throw new IllegalArgumentException("cache.metadataTtlMs and cache.metadataMaxEntries must be >= 0");
    }
    this.source = source;
    this.metrics = new CacheMetrics(registry, "metadata");
    this.refreshes = Counter.builder("mogul.gateway.cache.refreshes").tag("cache", "metadata")
        .description("Cached key versions that could not be read and were looked up again").register(registry);
    if (ttlMs == 0 || maxEntries == 0) {
      this.cache = null;
      return;
    }
    this.cache = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofMillis(ttlMs))
        .maximumSize(maxEntries)
        .ticker(clock::getAsLong)
        .<KeyPath, StoredFile>evictionListener((key, value, cause) -> metrics.evicted())
        .build();
    metrics.gauge("entries", cache::estimatedSize);
  }

  /**
   * The cached version of the key, or null when a tracker has to be asked. Never blocks,
   * so the network event loop may call it. Counts a hit or a miss.
   */
  public StoredFile cached(KeyPath path) {
    if (cache == null) {
      return null;
    }
    StoredFile file = cache.getIfPresent(path);
    if (file == null) {
      metrics.miss();
    } else {
      metrics.hit();
    }
    return file;
  }

  /**
   * Asks the source for the key's current version (a blocking tracker call) and caches it,
   * unless a write through this gateway finished while the lookup was in flight.
   */
  public StoredFile load(KeyPath path) {
    long writesBefore = writes.get();
    StoredFile file = source.stat(path.domain(), path.key());
    if (cache != null) {
      // Atomic with invalidate() on this key: a write that finished after the check
      // removes the entry again once this compute returns.
      cache.asMap().compute(path, (key, old) -> writes.get() == writesBefore ? file : old);
    }
    return file;
  }

  /**
   * The cached version of the key turned out unreadable (its copies moved, or it was
   * replaced and its blob deleted): drops it and looks the key up again.
   */
  public StoredFile refresh(KeyPath path) {
    if (cache != null) {
      cache.invalidate(path);
      refreshes.increment();
    }
    return load(path);
  }

  /** A PUT or DELETE of the key through this gateway finished, successfully or not. */
  public void invalidate(KeyPath path) {
    writes.incrementAndGet();
    if (cache != null) {
      cache.invalidate(path);
    }
  }
}
