package io.mogul.gateway.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Conditional GET/HEAD evaluation (RFC 9110 section 13) for immutable stored versions:
 * an ETag names one fid and checksum, so a strong comparison is exact.
 */
public final class Preconditions {
  private Preconditions() {}

  /** What a conditional request resolves to before the body is considered. */
  public enum Outcome { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

  public static String etag(long fid, int crc32c) {
    return "\"" + Long.toUnsignedString(fid, 36) + "-" + Integer.toHexString(crc32c) + "\"";
  }

  public static String httpDate(long epochMillis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC));
  }

  /**
   * Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since in the
   * RFC's order. If-None-Match takes precedence over If-Modified-Since.
   */
  public static Outcome evaluate(String etag, long lastModifiedMs, String ifMatch, String ifUnmodifiedSince,
      String ifNoneMatch, String ifModifiedSince) {
    long lastModifiedSec = lastModifiedMs / 1000;
    if (ifMatch != null) {
      if (!matches(ifMatch, etag, false)) {
        return Outcome.PRECONDITION_FAILED;
      }
    } else if (ifUnmodifiedSince != null) {
      Long since = parseDate(ifUnmodifiedSince);
      if (since != null && lastModifiedSec > since) {
        return Outcome.PRECONDITION_FAILED;
      }
    }
    if (ifNoneMatch != null) {
      return matches(ifNoneMatch, etag, true) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
    }
    if (ifModifiedSince != null) {
      Long since = parseDate(ifModifiedSince);
      if (since != null && lastModifiedSec <= since) {
        return Outcome.NOT_MODIFIED;
      }
    }
    return Outcome.PROCEED;
  }

  /** If-Range: the range applies only when the validator still matches (strong comparison). */
  public static boolean ifRangeHolds(String ifRange, String etag, long lastModifiedMs) {
    if (ifRange == null) {
      return true;
    }
    String v = ifRange.trim();
    if (v.startsWith("\"") || v.startsWith("W/")) {
      return v.equals(etag);
    }
    Long date = parseDate(v);
    return date != null && date == lastModifiedMs / 1000;
  }

  private static boolean matches(String header, String etag, boolean weak) {
    String h = header.trim();
    if (h.equals("*")) {
      return true;
    }
    for (String candidate : h.split(",")) {
      String c = candidate.trim();
      if (weak && c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static Long parseDate(String value) {
    try {
      return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
    } catch (DateTimeParseException e) {
      // An invalid date makes the condition void (RFC 9110 13.1.3/13.1.4).
      return null;
    }
  }
}
