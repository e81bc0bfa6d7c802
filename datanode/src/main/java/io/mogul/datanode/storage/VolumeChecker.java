package io.mogul.datanode.storage;

import io.mogul.common.MogulException;
import io.mogul.datanode.storage.format.NeedleHeader;
import io.mogul.proto.ErrorReason;
import java.io.IOException;

/**
 * Audits stored blobs: recomputes a blob's CRC32C from the bytes on disk and compares it
 * with the checksum recorded when it was written.
 */
public final class VolumeChecker {
  private VolumeChecker() {}

  /**
   * Outcome of a check.
   *
   * @param exists false when the fid is not stored (the other fields are then zero)
   */
  public record Verdict(boolean exists, boolean ok, long length, int storedCrc, int computedCrc) {}

  public static Verdict verify(Device device, long fid) throws IOException {
    NeedleReader.OpenNeedle n;
    try {
      n = device.reader().openUnverified(fid);
    } catch (MogulException e) {
      if (e.reason() == ErrorReason.BLOB_NOT_FOUND) {
        return new Verdict(false, false, 0, 0, 0);
      }
      throw e;
    }
    try (n) {
      NeedleHeader h = n.header();
      int computed;
      try {
        computed = n.computeCrc();
      } catch (MogulException e) {
        if (e.reason() != ErrorReason.CHECKSUM_MISMATCH) {
          throw e;
        }
        // The record ends before its length says: report the blob as damaged.
        return new Verdict(true, false, h.length(), h.crc32c(), 0);
      }
      return new Verdict(true, computed == h.crc32c(), h.length(), h.crc32c(), computed);
    }
  }
}
