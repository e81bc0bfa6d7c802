package io.mogul.gateway.server;

import io.mogul.common.MogulException;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.ErrorReason;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * A FileSource over a map, for testing the HTTP rules without a cluster. Versions are
 * immutable and kept by fid, as in a cluster, and every call that would reach a cluster
 * is counted.
 */
final class InMemoryFileSource implements FileSource {
  private final Map<String, StoredFile> keys = new ConcurrentHashMap<>();
  private final Map<Long, byte[]> contents = new ConcurrentHashMap<>();
  /** Where each fid's copies are now; a read naming other locations finds nothing. */
  private final Map<Long, List<DeviceLocation>> copies = new ConcurrentHashMap<>();
  private final AtomicLong fids = new AtomicLong();
  /** When set, reads fail with this reason (a cluster-side failure). */
  volatile ErrorReason failReadsWith;
  /** When set, reads return these bytes instead of the stored ones (a copy that rotted undetected). */
  volatile byte[] corruptReadsWith;
  /** When set, runs inside every stat after the version was looked up (a slow tracker). */
  volatile Consumer<StoredFile> afterStat;
  /** Tracker lookups (stat) made so far. */
  final AtomicInteger stats = new AtomicInteger();
  /** Datanode reads (open) made so far. */
  final AtomicInteger opens = new AtomicInteger();
  /** Bytes the gateway has taken from the streams {@link #open} returned. */
  final AtomicLong bytesRead = new AtomicLong();

  StoredFile store(String domain, String key, byte[] data, String contentType, long createdMs) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    StoredFile f = new StoredFile(domain, key, fids.incrementAndGet(), data.length, (int) crc.getValue(),
        createdMs, contentType, List.of());
    contents.put(f.fid(), data.clone());
    copies.put(f.fid(), f.locations());
    keys.put(domain + "/" + key, f);
    return f;
  }

  /** Moves the copies of the key's current version (as re-replication or rebalancing does). */
  void moveCopies(String domain, String key, List<DeviceLocation> to) {
    StoredFile old = keys.get(domain + "/" + key);
    StoredFile moved = new StoredFile(domain, key, old.fid(), old.length(), old.crc32c(), old.createdMs(),
        old.contentType(), to);
    copies.put(old.fid(), moved.locations());
    keys.put(domain + "/" + key, moved);
  }

  /** Deletes a version's blob (as the deletion job does once a key was overwritten). */
  void deleteBlob(long fid) {
    contents.remove(fid);
  }

  /** Cluster calls (lookups and reads) made so far. */
  int clusterCalls() {
    return stats.get() + opens.get();
  }

  @Override
  public StoredFile stat(String domain, String key) {
    stats.incrementAndGet();
    if (!domain.equals("photos")) {
      throw new MogulException(ErrorReason.UNKNOWN_DOMAIN, "unknown domain " + domain);
    }
    StoredFile f = keys.get(domain + "/" + key);
    if (f == null) {
      throw new MogulException(ErrorReason.UNKNOWN_KEY, "unknown key " + key);
    }
    Consumer<StoredFile> hook = afterStat;
    if (hook != null) {
      hook.accept(f);
    }
    return f;
  }

  @Override
  public InputStream open(StoredFile file, long offset, long length) {
    opens.incrementAndGet();
    if (failReadsWith != null) {
      throw new MogulException(failReadsWith, "injected read failure");
    }
    byte[] data = corruptReadsWith != null ? corruptReadsWith : contents.get(file.fid());
    if (data == null || !file.locations().equals(copies.get(file.fid()))) {
      throw new MogulException(ErrorReason.UNKNOWN_FID, "no blob for fid " + file.fid());
    }
    return new FilterInputStream(new ByteArrayInputStream(data, (int) offset, (int) length)) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          bytesRead.incrementAndGet();
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          bytesRead.addAndGet(n);
        }
        return n;
      }
    };
  }

  @Override
  public StoredFile put(String domain, String key, InputStream body, long length, String contentType) {
    try {
      return store(domain, key, body.readAllBytes(), contentType, System.currentTimeMillis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void delete(String domain, String key) {
    if (keys.remove(domain + "/" + key) == null) {
      throw new MogulException(ErrorReason.UNKNOWN_KEY, "unknown key " + key);
    }
  }
}
