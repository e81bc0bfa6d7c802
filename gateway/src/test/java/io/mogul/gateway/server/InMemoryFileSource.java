package io.mogul.gateway.server;

import io.mogul.common.MogulException;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import io.mogul.proto.ErrorReason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/** A FileSource over a map, for testing the HTTP rules without a cluster. */
final class InMemoryFileSource implements FileSource {
  private record Entry(StoredFile file, byte[] data) {}

  private final Map<String, Entry> files = new ConcurrentHashMap<>();
  private final AtomicLong fids = new AtomicLong();
  /** When set, reads of this key fail with this reason (a cluster-side failure). */
  volatile ErrorReason failReadsWith;

  StoredFile store(String domain, String key, byte[] data, String contentType, long createdMs) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    StoredFile f = new StoredFile(domain, key, fids.incrementAndGet(), data.length, (int) crc.getValue(),
        createdMs, contentType, java.util.List.of());
    files.put(domain + "/" + key, new Entry(f, data));
    return f;
  }

  @Override
  public StoredFile stat(String domain, String key) {
    if (!domain.equals("photos")) {
      throw new MogulException(ErrorReason.UNKNOWN_DOMAIN, "unknown domain " + domain);
    }
    Entry e = files.get(domain + "/" + key);
    if (e == null) {
      throw new MogulException(ErrorReason.UNKNOWN_KEY, "unknown key " + key);
    }
    return e.file();
  }

  @Override
  public InputStream open(StoredFile file, long offset, long length) {
    if (failReadsWith != null) {
      throw new MogulException(failReadsWith, "injected read failure");
    }
    byte[] data = files.get(file.domain() + "/" + file.key()).data();
    return new ByteArrayInputStream(Arrays.copyOfRange(data, (int) offset, (int) (offset + length)));
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
    if (files.remove(domain + "/" + key) == null) {
      throw new MogulException(ErrorReason.UNKNOWN_KEY, "unknown key " + key);
    }
  }
}
