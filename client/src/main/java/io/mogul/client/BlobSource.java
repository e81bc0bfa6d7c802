package io.mogul.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes of one put. A source can be opened any number of times, each time from the
 * start, so every copy reads it on its own and a copy that failed can be written again
 * to a replacement device without holding the data in memory.
 */
sealed interface BlobSource permits BlobSource.Bytes, BlobSource.File {
  /** Exact length in bytes. */
  long length();

  /** A fresh stream over the whole blob. */
  InputStream open() throws IOException;

  /** An in-memory blob. */
  record Bytes(byte[] data) implements BlobSource {
    @Override
    public long length() {
      return data.length;
    }

    @Override
    public InputStream open() {
      return new ByteArrayInputStream(data);
    }
  }

  /** A local file; its length is taken when the put starts and checked by every copy. */
  record File(Path path, long length) implements BlobSource {
    static File of(Path path) throws IOException {
      return new File(path, Files.size(path));
    }

    @Override
    public InputStream open() throws IOException {
      return Files.newInputStream(path);
    }
  }
}
