package io.mogul.cli;

import io.mogul.proto.ErrorReason;

/**
 * Exit codes of every {@code mogul} command, for scripts:
 * <ul>
 *   <li>0 success</li>
 *   <li>1 usage: bad options or arguments, invalid names, a missing local file</li>
 *   <li>2 not found: unknown domain, class, key, host, device or fid</li>
 *   <li>3 any other error (conflicts such as "already exists", checksum failures, internal errors)</li>
 *   <li>4 unavailable: no tracker answered, no leader, no writable device</li>
 * </ul>
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int USAGE = 1;
  public static final int NOT_FOUND = 2;
  public static final int ERROR = 3;
  public static final int UNAVAILABLE = 4;

  private ExitCodes() {}

  public static int of(ErrorReason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT, INVALID_NAME, UNKNOWN_SETTING -> USAGE;
      case UNKNOWN_DOMAIN, UNKNOWN_CLASS, UNKNOWN_KEY, UNKNOWN_HOST, UNKNOWN_DEVICE, UNKNOWN_FID,
          BLOB_NOT_FOUND -> NOT_FOUND;
      case NOT_LEADER, UNAVAILABLE, DEVICE_UNAVAILABLE, NO_WRITABLE_DEVICE -> UNAVAILABLE;
      default -> ERROR;
    };
  }
}
