package io.mogul.gateway.http;

import java.time.Instant;
import java.time.LocalDate;
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

  /**
   * The IMF-fixdate form of an HTTP date (RFC 9110 section 5.6.7), e.g.
   * {@code Sun, 06 Nov 1994 08:49:37 GMT}. Formatted by hand: it is on every response.
   */
  public static String httpDate(long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000L);
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    if (day.getYear() < 0 || day.getYear() > 9999) {
      return DateTimeFormatter.RFC_1123_DATE_TIME.format(
          ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC));
    }
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    StringBuilder b = new StringBuilder(29);
    b.append(DAYS[day.getDayOfWeek().ordinal()]).append(", ");
    twoDigits(b, day.getDayOfMonth());
    b.append(' ').append(MONTHS[day.getMonthValue() - 1]).append(' ');
    twoDigits(b, day.getYear() / 100);
    twoDigits(b, day.getYear() % 100);
    b.append(' ');
    twoDigits(b, secondOfDay / 3600);
    b.append(':');
    twoDigits(b, secondOfDay / 60 % 60);
    b.append(':');
    twoDigits(b, secondOfDay % 60);
    return b.append(" GMT").toString();
  }

  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS =
      {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

  private static void twoDigits(StringBuilder b, int value) {
    b.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
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
