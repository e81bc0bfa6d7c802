package io.mogul.meta.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key encoding. Numbers are big-endian so byte order equals numeric order; composite keys
 * join their parts with NUL (which names and keys never contain), so every key of a domain
 * shares the prefix {@code domain \0} and listing them is a range scan.
 */
public final class Keys {
  public static final byte[] APPLIED = utf8("applied");
  public static final byte[] NEXT_HOST_ID = utf8("next_host_id");
  public static final byte[] NEXT_DEVICE_ID = utf8("next_device_id");
  public static final byte[] FID_HIGH_WATER = utf8("fid_high_water");
  public static final byte[] REPAIR_EPOCH = utf8("repair_epoch");

  private Keys() {}

  /** COUNTS key of a domain's tally. */
  public static byte[] domainTally(String domain) {
    return tagged('d', utf8(domain));
  }

  /** COUNTS key of a class's tally. */
  public static byte[] classTally(String domain, String storageClass) {
    return tagged('c', pair(domain, storageClass));
  }

  /** COUNTS key of a device's tally. */
  public static byte[] deviceTally(int deviceId) {
    return tagged('v', u32(deviceId));
  }

  private static byte[] tagged(char tag, byte[] key) {
    byte[] out = new byte[key.length + 1];
    out[0] = (byte) tag;
    System.arraycopy(key, 0, out, 1, key.length);
    return out;
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String string(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  public static byte[] u32(int id) {
    return ByteBuffer.allocate(4).putInt(id).array();
  }

  public static int readU32(byte[] b) {
    return ByteBuffer.wrap(b).getInt();
  }

  public static byte[] u64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  public static long readU64(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  /** {@code a \0 b} */
  public static byte[] pair(String a, String b) {
    byte[] left = utf8(a);
    byte[] right = utf8(b);
    byte[] out = new byte[left.length + 1 + right.length];
    System.arraycopy(left, 0, out, 0, left.length);
    System.arraycopy(right, 0, out, left.length + 1, right.length);
    return out;
  }

  /** {@code a \0}: the prefix of every pair key starting with {@code a}. */
  public static byte[] prefix(String a) {
    byte[] left = utf8(a);
    return Arrays.copyOf(left, left.length + 1);
  }

  /** The second part of a pair key. */
  public static String second(byte[] pairKey) {
    for (int i = 0; i < pairKey.length; i++) {
      if (pairKey[i] == 0) {
        return new String(pairKey, i + 1, pairKey.length - i - 1, StandardCharsets.UTF_8);
      }
    }
    throw new IllegalArgumentException("not a pair key");
  }

  public static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    return Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
