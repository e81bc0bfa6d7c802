package io.mogul.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes of one put. A source can be read any number of times, each time from the
 * start, so every copy reads it on its own and a copy that failed can be written again
 * to a replacement device without holding the data in memory.
 */
sealed interface BlobSource permits BlobSource.Bytes, BlobSource.File {
  /** Exact length in bytes. */
  long length();

  /** A fresh reader over the whole blob, in pieces of at most {@code chunkBytes}. */
  Chunks chunks(int chunkBytes) throws IOException;

  /** Successive pieces of a blob, read once. */
  interface Chunks extends AutoCloseable {
    /** The next piece (never empty), or null at the end of the blob. */
    ByteString next() throws IOException;

    @Override
    void close() throws IOException;
  }

  /**
   * An in-memory blob. Its pieces are views of the caller's array, not copies: the array
   * must not change while the put runs (see {@link MogulClient#putAsync(String, String,
   * byte[], PutOptions)}).
   */
  record Bytes(byte[] data) implements BlobSource {
    @Override
    public long length() {
      return data.length;
    }

    @Override
    public Chunks chunks(int chunkBytes) {
      return new Chunks() {
        private int at;

        @Override
        public ByteString next() {
          if (at == data.length) {
            return null;
          }
          int n = Math.min(chunkBytes, data.length - at);
          ByteString piece = UnsafeByteOperations.unsafeWrap(data, at, n);
          at += n;
          return piece;
        }

        @Override
        public void close() {}
      };
    }
  }

  /** A local file; its length is taken when the put starts and checked by every copy. */
  record File(Path path, long length) implements BlobSource {
    static File of(Path path) throws IOException {
      return new File(path, Files.size(path));
    }

    @Override
    public Chunks chunks(int chunkBytes) throws IOException {
      InputStream in = Files.newInputStream(path);
      return new Chunks() {
        private long at;

        @Override
        public ByteString next() throws IOException {
          // Each piece is read into an array of its own that is handed over as it is, so the
          // bytes are copied once on their way from the file to the request. The array is
          // sized to what is left of the file; at its length one more byte is asked for, so
          // a file that grew reads one byte long, which the writer reports.
          if (at > length) {
            return null;
          }
          byte[] piece = new byte[(int) Math.max(1, Math.min(chunkBytes, length - at))];
          int n = in.readNBytes(piece, 0, piece.length);
          if (n == 0) {
            return null;
          }
          at += n;
          return UnsafeByteOperations.unsafeWrap(piece, 0, n);
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      };
    }
  }
}
