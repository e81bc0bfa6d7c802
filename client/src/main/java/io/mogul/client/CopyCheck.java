package io.mogul.client;

import io.mogul.proto.DeviceLocation;
import io.mogul.proto.FileInfo;
import io.mogul.proto.VerifyResponse;

/**
 * What became of one copy of a file when its datanode re-read it and recomputed its
 * checksum ({@link MogulClient#verifyCopies}).
 *
 * @param detail why the copy is not {@link State#GOOD}, empty when it is
 */
public record CopyCheck(DeviceLocation location, State state, String detail) {
  /** The verdict on one copy. */
  public enum State {
    /** Stored with the file's length and CRC32C, and the bytes on disk match them. */
    GOOD,
    /** The datanode does not hold the copy. */
    MISSING,
    /** The bytes on disk do not match the checksum stored with them. */
    CORRUPT,
    /** The copy is intact but its length or CRC32C differs from the file's record. */
    MISMATCH,
    /** The datanode could not be asked (down, unreachable, or it failed the call). */
    UNREACHABLE
  }

  public boolean good() {
    return state == State.GOOD;
  }

  /** The verdict on {@code answer}, the datanode's verification of a copy of {@code file}. */
  static CopyCheck of(FileInfo file, DeviceLocation location, VerifyResponse answer) {
    if (!answer.getExists()) {
      return new CopyCheck(location, State.MISSING, "no such blob on the device");
    }
    if (!answer.getOk()) {
      return new CopyCheck(location, State.CORRUPT, String.format("data has CRC32C %08x, stored with %08x",
          answer.getComputedCrc32C(), answer.getStoredCrc32C()));
    }
    if (answer.getLength() != file.getLength() || answer.getStoredCrc32C() != file.getCrc32C()) {
      return new CopyCheck(location, State.MISMATCH, String.format(
          "holds %d bytes with CRC32C %08x, the file has %d bytes with CRC32C %08x",
          answer.getLength(), answer.getStoredCrc32C(), file.getLength(), file.getCrc32C()));
    }
    return new CopyCheck(location, State.GOOD, "");
  }
}
