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
  void ifRangeHoldsOnlyForTheSameVersion() {
    assertTrue(Preconditions.ifRangeHolds(null, ETAG, MODIFIED));
    assertTrue(Preconditions.ifRangeHolds(ETAG, ETAG, MODIFIED));
    assertFalse(Preconditions.ifRangeHolds("\"other\"", ETAG, MODIFIED));
    assertTrue(Preconditions.ifRangeHolds(AT, ETAG, MODIFIED));
    assertFalse(Preconditions.ifRangeHolds(EARLIER, ETAG, MODIFIED));
  }
}
