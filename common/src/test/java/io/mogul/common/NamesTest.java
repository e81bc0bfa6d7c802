package io.mogul.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mogul.proto.ErrorReason;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void domainNamesFollowTheCharacterRule() {
    assertEquals("photos.v2_a-b", Names.checkDomain("photos.v2_a-b"));
    for (String bad : new String[] {"", "Photos", "a b", "a/b", "x".repeat(65), null}) {
      MogulException e = assertThrows(MogulException.class, () -> Names.checkDomain(bad), String.valueOf(bad));
      assertEquals(ErrorReason.INVALID_NAME, e.reason());
    }
    assertEquals("x".repeat(64), Names.checkClass("x".repeat(64)));
  }

  @Test
  void keysAreUtf8UpTo1024BytesWithoutNul() {
    assertEquals("a/b c/ü.jpg", Names.checkKey("a/b c/ü.jpg"));
    assertEquals("k".repeat(1024), Names.checkKey("k".repeat(1024)));
    // 512 two-byte characters are 1024 bytes; one more is over the limit.
    Names.checkKey("é".repeat(512));
    assertEquals(ErrorReason.INVALID_NAME,
        assertThrows(MogulException.class, () -> Names.checkKey("é".repeat(513))).reason());
    assertEquals(ErrorReason.INVALID_NAME,
        assertThrows(MogulException.class, () -> Names.checkKey("k".repeat(1025))).reason());
    assertThrows(MogulException.class, () -> Names.checkKey(""));
    assertThrows(MogulException.class, () -> Names.checkKey("a\0b"));
    assertThrows(MogulException.class, () -> Names.checkKey("bad\uD800"));
  }

  @Test
  void attributesHaveFastDfsLimits() {
    Names.checkAttribute("width", "1024");
    assertThrows(MogulException.class, () -> Names.checkAttribute("", "v"));
    assertThrows(MogulException.class, () -> Names.checkAttribute("n".repeat(65), "v"));
    assertThrows(MogulException.class, () -> Names.checkAttribute("n", "v".repeat(257)));
  }

  @Test
  void fidsRoundTripAsUnsignedDecimal() {
    assertEquals("18446744073709551615", Fids.format(-1L));
    assertEquals(-1L, Fids.parse("18446744073709551615"));
    assertEquals(42L, Fids.parse("42"));
    assertThrows(MogulException.class, () -> Fids.parse("0"));
    assertThrows(MogulException.class, () -> Fids.parse("abc"));
  }
}
