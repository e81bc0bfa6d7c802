package io.mogul.chaos.traffic;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Deterministic file contents: the bytes of a value follow from the run's seed and the
 * operation id, and the first 8 bytes carry the id, so every written value of 8 bytes or
 * more is unique and a read can be traced to the write it came from.
 */
public final class Values {
  private Values() {}

  public static byte[] content(long seed, int opId, int size) {
    byte[] data = new byte[size];
    new SplittableRandom(seed * 0x9E3779B97F4A7C15L + opId).nextBytes(data);
    for (int i = 0; i < Math.min(8, size); i++) {
      data[i] = (byte) (((long) opId) >>> (8 * i));
    }
    return data;
  }

  /** A short identity of some bytes: SHA-256 prefix and length. */
  public static String digest(byte[] data) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(data);
      return HexFormat.of().formatHex(sha, 0, 8) + ":" + data.length;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * A size from 0 B to {@code maxBytes}, skewed small as in a photo store: most values are
   * a few KiB, some up to 1 MiB, a few up to the maximum.
   */
  public static int size(SplittableRandom random, int maxBytes) {
    int pick = random.nextInt(100);
    int size;
    if (pick < 3) {
      size = random.nextInt(8);
    } else if (pick < 75) {
      size = 8 + random.nextInt(16 * 1024);
    } else if (pick < 96) {
      size = 16 * 1024 + random.nextInt(1024 * 1024);
    } else {
      size = 1024 * 1024 + random.nextInt(Math.max(1, maxBytes - 1024 * 1024));
    }
    return Math.min(size, maxBytes);
  }
}
