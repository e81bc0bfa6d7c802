package io.mogul.datanode.storage.format;

import java.nio.ByteBuffer;

/**
 * Superblocks of volume data files ({@code .dat}) and index files ({@code .idx}), and the
 * index entry layout. Both superblocks carry the volume id and its generation; compaction
 * bumps the generation, so an index file left over from before a swap is recognised as
 * stale and the data file is rescanned instead.
 */
public final class VolumeFormat {
  private VolumeFormat() {}

  public static final int DAT_MAGIC = 0x4D475631; // "MGV1"
  public static final int IDX_MAGIC = 0x4D475831; // "MGX1"
  public static final int SUPERBLOCK_SIZE = 16;
  /** fid u64, record offset u64, blob length u64, flags u32, crc32c u32. */
  public static final int INDEX_ENTRY_SIZE = 32;

  public static byte[] superblock(int magic, int volumeId, long generation) {
    ByteBuffer b = ByteBuffer.allocate(SUPERBLOCK_SIZE);
    b.putInt(magic).putInt(volumeId).putLong(generation);
    return b.array();
  }

  /**
   * @return the generation, or -1 when the superblock is not valid for this magic and volume
   */
  public static long readGeneration(ByteBuffer b, int magic, int volumeId) {
    if (b.remaining() < SUPERBLOCK_SIZE || b.getInt(0) != magic || b.getInt(4) != volumeId) {
      return -1;
    }
    return b.getLong(8);
  }

  public static void putIndexEntry(ByteBuffer b, long fid, long offset, long length, int flags, int crc) {
    b.putLong(fid).putLong(offset).putLong(length).putInt(flags).putInt(crc);
  }

  public static String datName(int volumeId) {
    return "vol_" + volumeId + ".dat";
  }

  public static String idxName(int volumeId) {
    return "vol_" + volumeId + ".idx";
  }

  public static String largeName(long fid) {
    return Long.toUnsignedString(fid) + ".ndl";
  }
}
