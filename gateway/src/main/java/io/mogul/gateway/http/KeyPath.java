package io.mogul.gateway.http;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The {@code /{domain}/{key}} part of a request URI. The key is everything after the
 * domain's slash, percent-decoded as UTF-8 (a '+' stays a '+': this is a path, not a
 * form). The result is only ever used as a lookup key in one domain, so no path can
 * reach anything but stored keys.
 */
public record KeyPath(String domain, String key) {

  /**
   * @param rawPath the request target without the query string, still percent-encoded
   * @throws MogulException INVALID_NAME / INVALID_ARGUMENT for anything that is not a valid domain and key
   */
  public static KeyPath parse(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      throw new MogulException(io.mogul.proto.ErrorReason.INVALID_ARGUMENT, "path must start with /");
    }
    int slash = rawPath.indexOf('/', 1);
    if (slash < 0 || slash == rawPath.length() - 1) {
      throw new MogulException(io.mogul.proto.ErrorReason.INVALID_ARGUMENT, "path must be /{domain}/{key}");
    }
    String domain = Names.checkDomain(decode(rawPath.substring(1, slash)));
    String key = Names.checkKey(decode(rawPath.substring(slash + 1)));
    return new KeyPath(domain, key);
  }

  /** Strict percent-decoding: malformed escapes and invalid UTF-8 are errors, never guessed. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw bad("truncated percent escape");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw bad("malformed percent escape");
        }
        out.write((hi << 4) | lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw bad("path is not valid UTF-8");
    }
  }

  private static MogulException bad(String why) {
    return new MogulException(io.mogul.proto.ErrorReason.INVALID_NAME, why);
  }
}
