package io.mogul.gateway.http;

/**
 * A single satisfiable byte range of a representation, resolved against its length
 * (RFC 9110 section 14). Multi-range requests are answered with the whole
 * representation, which the RFC allows.
 */
public record ByteRange(long start, long endInclusive) {

  public long length() {
    return endInclusive - start + 1;
  }

  public String contentRange(long totalLength) {
    return "bytes " + start + "-" + endInclusive + "/" + totalLength;
  }

  /** What a Range header asks for, given the representation's length. */
  public sealed interface Parsed permits Whole, Partial, Unsatisfiable {}

  /** Serve the whole representation with 200 (no header, a malformed one, or several ranges). */
  public record Whole() implements Parsed {}

  /** Serve this range with 206. */
  public record Partial(ByteRange range) implements Parsed {}

  /** Answer 416 with {@code Content-Range: bytes * /length}. */
  public record Unsatisfiable() implements Parsed {}

  private static final Whole WHOLE = new Whole();

  /**
   * Parses {@code bytes=a-b}, {@code bytes=a-} and {@code bytes=-n}. A syntactically
   * invalid header is ignored (200), as the RFC requires; a valid one that lies wholly
   * past the end is unsatisfiable (416).
   */
  public static Parsed parse(String header, long totalLength) {
    if (header == null) {
      return WHOLE;
    }
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
      return WHOLE;
    }
    String spec = h.substring(6).trim();
    if (spec.indexOf(',') >= 0) {
      return WHOLE;
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return WHOLE;
    }
    String first = spec.substring(0, dash).trim();
    String last = spec.substring(dash + 1).trim();
    try {
      if (first.isEmpty()) {
        if (last.isEmpty()) {
          return WHOLE;
        }
        long suffix = parseDigits(last);
        if (suffix == 0 || totalLength == 0) {
          return new Unsatisfiable();
        }
        long start = Math.max(0, totalLength - suffix);
        return new Partial(new ByteRange(start, totalLength - 1));
      }
      long start = parseDigits(first);
      if (!last.isEmpty() && parseDigits(last) < start) {
        return WHOLE;
      }
      if (start >= totalLength) {
        return new Unsatisfiable();
      }
      long end = last.isEmpty() ? totalLength - 1 : parseDigits(last);
      return new Partial(new ByteRange(start, Math.min(end, totalLength - 1)));
    } catch (NumberFormatException e) {
      return WHOLE;
    }
  }

  private static long parseDigits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        throw new NumberFormatException(s);
      }
    }
    if (s.length() > 18) {
      // Larger than any stored file; treat as "to the end" semantics by clamping.
      return Long.MAX_VALUE / 2;
    }
    return Long.parseLong(s);
  }
}
