package io.mogul.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

class ByteRangeTest {
  private static ByteRange partial(String header, long length) {
    return assertInstanceOf(ByteRange.Partial.class, ByteRange.parse(header, length)).range();
  }

  @Test
  void closedOpenAndSuffixRangesResolveAgainstTheLength() {
    assertEquals(new ByteRange(0, 99), partial("bytes=0-99", 1000));
    assertEquals(new ByteRange(500, 999), partial("bytes=500-", 1000));
    assertEquals(new ByteRange(900, 999), partial("bytes=-100", 1000));
    assertEquals(new ByteRange(0, 9), partial("bytes=-100", 10));
    assertEquals(new ByteRange(5, 9), partial("bytes=5-5000", 10));
    assertEquals("bytes 5-9/10", partial("bytes=5-5000", 10).contentRange(10));
  }

  @Test
  void rangesPastTheEndAreUnsatisfiable() {
    assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=10-", 10));
    assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=-0", 10));
    assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.parse("bytes=0-", 0));
  }

  @Test
  void malformedOrMultipleRangesServeTheWholeFile() {
    for (String h : new String[] {null, "", "items=0-1", "bytes=", "bytes=a-b", "bytes=5-1", "bytes=0-1,3-4",
        "bytes=-", "bytes=1"}) {
      assertInstanceOf(ByteRange.Whole.class, ByteRange.parse(h, 100), String.valueOf(h));
    }
  }
}
