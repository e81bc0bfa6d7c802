package io.mogul.gateway.cluster;

import io.mogul.client.MogulClient;
import io.mogul.client.PutOptions;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import io.mogul.proto.FileInfo;
import io.mogul.proto.GetPathsResponse;
import java.io.InputStream;

/**
 * Files served from a Mogul cluster through the client library, which fails over across
 * copies and verifies checksums.
 */
public final class ClientFileSource implements FileSource {
  private final MogulClient client;

  public ClientFileSource(MogulClient client) {
    this.client = client;
  }

  @Override
  public StoredFile stat(String domain, String key) {
    GetPathsResponse paths = client.paths(domain, key);
    return new StoredFile(domain, key, paths.getFid(), paths.getLength(), paths.getCrc32C(),
        paths.getCreatedMs(), paths.getContentType(), paths.getLocationsList());
  }

  @Override
  public InputStream open(StoredFile file, long offset, long length) {
    GetPathsResponse version = GetPathsResponse.newBuilder().setFid(file.fid()).setLength(file.length())
        .setCrc32C(file.crc32c()).addAllLocations(file.locations()).build();
    return client.openStream(version, offset, length);
  }

  @Override
  public StoredFile put(String domain, String key, InputStream body, long length, String contentType) {
    FileInfo info = client.put(domain, key, body, PutOptions.builder().contentType(contentType).build());
    return new StoredFile(domain, key, info.getFid(), info.getLength(), info.getCrc32C(), info.getCreatedMs(),
        info.getContentType(), info.getLocationsList());
  }

  @Override
  public void delete(String domain, String key) {
    client.delete(domain, key);
  }
}
