package io.mogul.common;

import io.mogul.proto.ErrorReason;

/**
 * Fids are unsigned 64-bit numbers, never reused. They are written in decimal, as
 * MogileFS does, and parsed back strictly.
 */
public final class Fids {
  private Fids() {}

  public static String format(long fid) {
    return Long.toUnsignedString(fid);
  }

  public static long parse(String text) {
    try {
      long fid = Long.parseUnsignedLong(text);
      if (fid == 0) {
        throw new NumberFormatException("fid 0 is never allocated");
      }
      return fid;
    } catch (NumberFormatException e) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "not a fid: '" + text + "'");
    }
  }
}
