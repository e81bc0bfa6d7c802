package io.mogul.datanode.storage.format;

/**
 * Decoded needle record header.
 *
 * @param fid the blob's fid
 * @param flags {@link NeedleFormat#FLAG_TOMBSTONE}, {@link NeedleFormat#FLAG_LARGE}
 * @param length blob length in bytes (0 for tombstones)
 * @param storedMs wall-clock time the record was written
 * @param crc32c CRC32C of the whole blob
 */
public record NeedleHeader(long fid, int flags, long length, long storedMs, int crc32c) {
  public boolean tombstone() {
    return (flags & NeedleFormat.FLAG_TOMBSTONE) != 0;
  }

  public boolean large() {
    return (flags & NeedleFormat.FLAG_LARGE) != 0;
  }

  public long recordSize() {
    return NeedleFormat.recordSize(flags, length);
  }
}
