package io.mogul.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ByteStringsTest {
  private static byte[] bytesOf(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void aStringBackedByOneArrayIsSeenThroughThatArrayWithoutACopy() {
    byte[] array = "..hello world..".getBytes(StandardCharsets.US_ASCII);
    ByteString s = UnsafeByteOperations.unsafeWrap(array, 2, 11);
    ByteBuffer view = ByteStrings.view(s);
    assertTrue(view.hasArray(), "the view must expose an array so checksums run over it directly");
    assertEquals(0, view.position());
    assertArrayEquals("hello world".getBytes(StandardCharsets.US_ASCII), bytesOf(view));
    array[2] = 'j';
    assertEquals('j', view.get(0), "the view must be the string's own memory, not a copy");
  }

  @Test
  void aParsedStringAndItsSubstringAreSeenWhole() {
    ByteString s = ByteString.copyFromUtf8("0123456789");
    assertArrayEquals(s.toByteArray(), bytesOf(ByteStrings.view(s)));
    assertArrayEquals("3456".getBytes(StandardCharsets.US_ASCII), bytesOf(ByteStrings.view(s.substring(3, 7))));
    assertEquals(0, ByteStrings.view(ByteString.EMPTY).remaining());
  }

  @Test
  void aStringMadeOfSeveralPiecesIsJoinedInOrder() {
    ByteString rope = ByteString.copyFromUtf8("abc").concat(ByteString.copyFrom(new byte[300]))
        .concat(UnsafeByteOperations.unsafeWrap(ByteBuffer.wrap("xyz".getBytes(StandardCharsets.US_ASCII))));
    ByteBuffer view = ByteStrings.view(rope);
    assertArrayEquals(rope.toByteArray(), bytesOf(view));
    CRC32C viaView = new CRC32C();
    viaView.update(view);
    CRC32C viaArray = new CRC32C();
    viaArray.update(rope.toByteArray());
    assertEquals(viaArray.getValue(), viaView.getValue());
  }

  @Test
  void aStringOverADirectBufferIsSeenWhole() {
    ByteBuffer direct = ByteBuffer.allocateDirect(8);
    direct.put("abcdefgh".getBytes(StandardCharsets.US_ASCII)).flip();
    ByteString s = UnsafeByteOperations.unsafeWrap(direct);
    ByteBuffer view = ByteStrings.view(s);
    assertArrayEquals("abcdefgh".getBytes(StandardCharsets.US_ASCII), bytesOf(view));
  }
}
