package io.mogul.datanode.storage.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Byte layout of one needle record (see FORMAT.md in this directory). A record is a
 * 40-byte header, a body and zero padding up to the next multiple of 8. The body of a
 * data record is the blob bytes followed, for blobs longer than {@link #CHECKSUM_CHUNK},
 * by one CRC32C per chunk, so any chunk can be verified before it is sent.
 */
public final class NeedleFormat {
  private NeedleFormat() {}

  public static final int MAGIC = 0x4D474E31; // "MGN1"
  public static final int HEADER_SIZE = 40;
  public static final int ALIGNMENT = 8;
  /** Granularity of the per-chunk checksums of blobs longer than one chunk. */
  public static final int CHECKSUM_CHUNK = 1024 * 1024;

  /** The record deletes its fid. Its body is empty. */
  public static final int FLAG_TOMBSTONE = 1;
  /** The blob lives in a file of its own; the record in the volume has an empty body. */
  public static final int FLAG_LARGE = 2;

  public static final int OFF_MAGIC = 0;
  public static final int OFF_FLAGS = 4;
  public static final int OFF_FID = 8;
  public static final int OFF_LENGTH = 16;
  public static final int OFF_STORED_MS = 24;
  public static final int OFF_DATA_CRC = 32;
  public static final int OFF_HEADER_CRC = 36;

  /** Number of per-chunk checksums stored after the data of a blob of this length. */
  public static int chunkCount(long length) {
    return length > CHECKSUM_CHUNK ? (int) ((length + CHECKSUM_CHUNK - 1) / CHECKSUM_CHUNK) : 0;
  }

  /** Bytes of the body as stored for a record with these flags and blob length. */
  public static long bodySize(int flags, long length) {
    if ((flags & (FLAG_TOMBSTONE | FLAG_LARGE)) != 0) {
      return 0;
    }
    return length + 4L * chunkCount(length);
  }

  /** Total bytes the record occupies, padding included. */
  public static long recordSize(int flags, long length) {
    return align(HEADER_SIZE + bodySize(flags, length));
  }

  public static long align(long n) {
    return (n + ALIGNMENT - 1) & -ALIGNMENT;
  }

  /** Encodes a header into {@code out} at its position, advancing it by 40 bytes. */
  public static void encodeHeader(ByteBuffer out, NeedleHeader h) {
    ByteBuffer b = out.slice().order(ByteOrder.BIG_ENDIAN);
    b.putInt(OFF_MAGIC, MAGIC);
    b.putInt(OFF_FLAGS, h.flags());
    b.putLong(OFF_FID, h.fid());
    b.putLong(OFF_LENGTH, h.length());
    b.putLong(OFF_STORED_MS, h.storedMs());
    b.putInt(OFF_DATA_CRC, h.crc32c());
    b.putInt(OFF_HEADER_CRC, crc(b, 0, OFF_HEADER_CRC));
    out.position(out.position() + HEADER_SIZE);
  }

  public static byte[] encodeHeader(NeedleHeader h) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
    encodeHeader(b, h);
    return b.array();
  }

  /**
   * Decodes the header at the buffer's position without moving it.
   *
   * @return the header, or null when the bytes are not a valid header (bad magic or
   *     header checksum): the record is torn or corrupt
   */
  public static NeedleHeader decodeHeader(ByteBuffer in) {
    if (in.remaining() < HEADER_SIZE) {
      return null;
    }
    ByteBuffer b = in.slice().order(ByteOrder.BIG_ENDIAN);
    if (b.getInt(OFF_MAGIC) != MAGIC || b.getInt(OFF_HEADER_CRC) != crc(b, 0, OFF_HEADER_CRC)) {
      return null;
    }
    long length = b.getLong(OFF_LENGTH);
    if (length < 0) {
      return null;
    }
    return new NeedleHeader(b.getLong(OFF_FID), b.getInt(OFF_FLAGS), length,
        b.getLong(OFF_STORED_MS), b.getInt(OFF_DATA_CRC));
  }

  public static int crc(ByteBuffer b, int from, int to) {
    CRC32C c = new CRC32C();
    ByteBuffer d = b.duplicate();
    d.limit(to).position(from);
    c.update(d);
    return (int) c.getValue();
  }

  public static int crc(byte[] data, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(data, off, len);
    return (int) c.getValue();
  }
}
