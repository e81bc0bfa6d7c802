package io.mogul.gateway.source;

import io.mogul.proto.DeviceLocation;
import java.util.List;

/**
 * One version of a key, as the gateway needs it to answer HTTP: its identity and
 * validators, and where that version's copies are, so the body is read from exactly the
 * version the headers describe even if the key is overwritten meanwhile.
 */
public record StoredFile(String domain, String key, long fid, long length, int crc32c, long createdMs,
    String contentType, List<DeviceLocation> locations) {

  public StoredFile {
    locations = List.copyOf(locations);
  }
}
