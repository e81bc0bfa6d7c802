package io.mogul.common;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Protobuf byte strings seen as plain buffers without copying them.
 *
 * <p>{@link ByteString#asReadOnlyByteBuffer()} hides the backing array, and the JDK's
 * checksum and channel code then copies a read-only heap buffer piece by piece before it
 * can use it. The views here expose the string's own memory instead, so a CRC32C or a
 * write runs straight over it. Callers must treat every view as read-only: it is the
 * immutable string's memory.
 */
public final class ByteStrings {
  private ByteStrings() {}

  /**
   * The bytes of {@code bytes} as one buffer from position 0 to its limit: the string's own
   * array or buffer when it has a single one (the usual case for a parsed or wrapped
   * string), else one copy.
   */
  public static ByteBuffer view(ByteString bytes) {
    List<ByteBuffer> pieces = new ArrayList<>(1);
    try {
      UnsafeByteOperations.unsafeWriteTo(bytes, new ByteOutput() {
        @Override
        public void write(byte value) {
          pieces.add(ByteBuffer.wrap(new byte[] {value}));
        }

        @Override
        public void write(byte[] value, int offset, int length) {
          // A plain write may reuse its array afterwards: keep a copy.
          byte[] copy = new byte[length];
          System.arraycopy(value, offset, copy, 0, length);
          pieces.add(ByteBuffer.wrap(copy));
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) {
          pieces.add(ByteBuffer.wrap(value, offset, length).slice());
        }

        @Override
        public void write(ByteBuffer value) {
          ByteBuffer copy = ByteBuffer.allocate(value.remaining());
          copy.put(value.duplicate()).flip();
          pieces.add(copy);
        }

        @Override
        public void writeLazy(ByteBuffer value) {
          pieces.add(value.slice());
        }
      });
    } catch (IOException e) {
      // The output above never throws; writeTo declares it for outputs that do.
      throw new UncheckedIOException(e);
    }
    return Buffers.joined(pieces);
  }
}
