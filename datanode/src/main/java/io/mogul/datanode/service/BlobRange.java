package io.mogul.datanode.service;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;

/**
 * A requested byte range {@code [offset, end)} of a stored blob, checked the same way for
 * {@code Read} calls and {@code ReadSmallStream} items.
 */
record BlobRange(long offset, long end) {
  /**
   * Checks a request's range before the blob is opened.
   *
   * @param length bytes from {@code offset}, -1 for "to the end"
   * @throws MogulException INVALID_ARGUMENT for a negative offset or a length below -1
   */
  static void checkRequest(long offset, long length) {
    if (offset < 0 || length < -1) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "bad range offset " + offset + " length " + length);
    }
  }

  /**
   * The part of a {@code blobLength}-byte blob a checked request asks for; a range reaching
   * past the end is cut at the end.
   *
   * @throws MogulException INVALID_ARGUMENT when {@code offset} is past the end of the blob
   */
  static BlobRange within(long offset, long length, long blobLength) {
    if (offset > blobLength) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "offset " + offset + " is past the end of the "
          + blobLength + "-byte blob");
    }
    return new BlobRange(offset, length < 0 ? blobLength : Math.min(blobLength, offset + length));
  }

  long length() {
    return end - offset;
  }
}
