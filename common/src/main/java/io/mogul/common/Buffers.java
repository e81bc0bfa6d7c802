package io.mogul.common;

import java.nio.ByteBuffer;
import java.util.List;

/** Byte buffer helpers. */
public final class Buffers {
  private Buffers() {}

  /**
   * The remaining bytes of {@code pieces}, in order, as one buffer: the piece itself when
   * there is exactly one, else a heap copy of them all. Consumes the pieces when it copies.
   */
  public static ByteBuffer joined(List<ByteBuffer> pieces) {
    if (pieces.size() == 1) {
      return pieces.get(0);
    }
    int length = 0;
    for (ByteBuffer p : pieces) {
      length = Math.addExact(length, p.remaining());
    }
    ByteBuffer all = ByteBuffer.allocate(length);
    for (ByteBuffer p : pieces) {
      all.put(p);
    }
    return all.flip();
  }
}
