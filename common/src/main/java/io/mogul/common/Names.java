package io.mogul.common;

import io.mogul.proto.ErrorReason;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The naming rules every entry point enforces before anything is stored. */
public final class Names {
  /** Domain, class and host names. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,64}");
  public static final int MAX_KEY_BYTES = 1024;
  public static final int MAX_ATTRIBUTE_NAME = 64;
  public static final int MAX_ATTRIBUTE_VALUE = 256;
  public static final int MAX_ATTRIBUTES = 64;

  private Names() {}

  public static String checkDomain(String name) {
    return checkName("domain", name);
  }

  public static String checkClass(String name) {
    return checkName("class", name);
  }

  public static String checkHost(String name) {
    return checkName("host", name);
  }

  private static String checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new MogulException(ErrorReason.INVALID_NAME,
          "invalid " + what + " name '" + name + "': use 1-64 characters of a-z 0-9 . _ -");
    }
    return name;
  }

  /** Keys are UTF-8, 1..1024 bytes, and contain no NUL. */
  public static String checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new MogulException(ErrorReason.INVALID_NAME, "key must not be empty");
    }
    if (key.indexOf('\0') >= 0) {
      throw new MogulException(ErrorReason.INVALID_NAME, "key must not contain NUL");
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      throw new MogulException(ErrorReason.INVALID_NAME,
          "key is " + bytes + " bytes; the limit is " + MAX_KEY_BYTES);
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < key.length()
            && Character.isLowSurrogate(key.charAt(i + 1));
        if (!paired) {
          throw new MogulException(ErrorReason.INVALID_NAME, "key is not valid UTF-8 (lone surrogate)");
        }
        i++;
      }
    }
    return key;
  }

  /** FastDFS-style metadata: names up to 64 characters, values up to 256, at most 64 pairs. */
  public static void checkAttribute(String name, String value) {
    if (name == null || name.isEmpty() || name.length() > MAX_ATTRIBUTE_NAME || name.indexOf('\0') >= 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "attribute name must be 1-" + MAX_ATTRIBUTE_NAME + " characters without NUL: '" + name + "'");
    }
    if (value == null || value.length() > MAX_ATTRIBUTE_VALUE) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT,
          "attribute '" + name + "' value is longer than " + MAX_ATTRIBUTE_VALUE + " characters");
    }
  }
}
