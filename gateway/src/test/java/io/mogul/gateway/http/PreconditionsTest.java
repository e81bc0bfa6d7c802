package io.mogul.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.gateway.http.Preconditions.Outcome;
import org.junit.jupiter.api.Test;

class PreconditionsTest {
  private static final long MODIFIED = 1_700_000_000_000L;
  private static final String ETAG = Preconditions.etag(42, 0xabc);
  private static final String AT = Preconditions.httpDate(MODIFIED);
  private static final String LATER = Preconditions.httpDate(MODIFIED + 60_000);
  private static final String EARLIER = Preconditions.httpDate(MODIFIED - 60_000);

  @Test
  void ifNoneMatchWithTheCurrentTagIsNotModified() {
    assertEquals(Outcome.NOT_MODIFIED, Preconditions.evaluate(ETAG, MODIFIED, null, null, ETAG, null));
    assertEquals(Outcome.NOT_MODIFIED, Preconditions.evaluate(ETAG, MODIFIED, null, null, "\"x\", W/" + ETAG, null));
    assertEquals(Outcome.NOT_MODIFIED, Preconditions.evaluate(ETAG, MODIFIED, null, null, "*", null));
    assertEquals(Outcome.PROCEED, Preconditions.evaluate(ETAG, MODIFIED, null, null, "\"other\"", null));
  }

  @Test
  void ifNoneMatchOverridesIfModifiedSince() {
    assertEquals(Outcome.PROCEED, Preconditions.evaluate(ETAG, MODIFIED, null, null, "\"other\"", LATER));
  }

  @Test
  void ifModifiedSinceComparesWholeSeconds() {
    assertEquals(Outcome.NOT_MODIFIED, Preconditions.evaluate(ETAG, MODIFIED + 999, null, null, null, AT));
    assertEquals(Outcome.NOT_MODIFIED, Preconditions.evaluate(ETAG, MODIFIED, null, null, null, LATER));
    assertEquals(Outcome.PROCEED, Preconditions.evaluate(ETAG, MODIFIED, null, null, null, EARLIER));
    assertEquals(Outcome.PROCEED, Preconditions.evaluate(ETAG, MODIFIED, null, null, null, "not a date"));
  }

  @Test
  void ifMatchAndIfUnmodifiedSinceFailWhenTheFileChanged() {
    assertEquals(Outcome.PRECONDITION_FAILED, Preconditions.evaluate(ETAG, MODIFIED, "\"old\"", null, null, null));
    assertEquals(Outcome.PROCEED, Preconditions.evaluate(ETAG, MODIFIED, ETAG, null, null, null));
    assertEquals(Outcome.PRECONDITION_FAILED, Preconditions.evaluate(ETAG, MODIFIED, null, EARLIER, null, null));
    assertEquals(Outcome.PROCEED, Preconditions.evaluate(ETAG, MODIFIED, null, LATER, null, null));
  }

  @Test
  void httpDatesAreImfFixdateAndParseBack() {
    assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", Preconditions.httpDate(0));
    assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", Preconditions.httpDate(784_111_777_000L));
    assertEquals("Tue, 14 Nov 2023 22:13:20 GMT", Preconditions.httpDate(MODIFIED + 999));
    assertEquals("Wed, 31 Dec 1969 23:59:59 GMT", Preconditions.httpDate(-1));
    java.time.format.DateTimeFormatter rfc = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME;
    for (long ms = 0; ms < 4_102_444_800_000L; ms += 86_399_937L) {   // about one per day to 2100
      assertEquals(ms / 1000, java.time.ZonedDateTime.parse(Preconditions.httpDate(ms), rfc).toEpochSecond(),
          Preconditions.httpDate(ms));
    }
  }

  @Test
  void ifRangeHoldsOnlyForTheSameVersion() {
    assertTrue(Preconditions.ifRangeHolds(null, ETAG, MODIFIED));
    assertTrue(Preconditions.ifRangeHolds(ETAG, ETAG, MODIFIED));
    assertFalse(Preconditions.ifRangeHolds("\"other\"", ETAG, MODIFIED));
    assertTrue(Preconditions.ifRangeHolds(AT, ETAG, MODIFIED));
    assertFalse(Preconditions.ifRangeHolds(EARLIER, ETAG, MODIFIED));
  }
}
