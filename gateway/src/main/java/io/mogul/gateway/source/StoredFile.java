package io.mogul.gateway.source;

/** The current version of a key, as the gateway needs it to answer HTTP. */
public record StoredFile(String domain, String key, long fid, long length, int crc32c, long createdMs,
    String contentType) {}
