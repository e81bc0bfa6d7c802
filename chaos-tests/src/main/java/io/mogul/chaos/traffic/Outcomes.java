package io.mogul.chaos.traffic;

import io.mogul.chaos.history.Op;
import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;

/** How a failed call is recorded: definitely not applied, or maybe applied. */
final class Outcomes {
  private Outcomes() {}

  /**
   * Validation failures are decided before any state changes, so they are definite;
   * anything else (timeouts, unavailable trackers, lost datanodes) may have committed.
   */
  static Op.Outcome ofFailure(RuntimeException e) {
    MogulException m = MogulException.from(e);
    ErrorReason r = m.reason();
    return switch (r) {
      case INVALID_ARGUMENT, INVALID_NAME, UNKNOWN_DOMAIN, UNKNOWN_CLASS, KEY_EXISTS -> Op.Outcome.FAILED;
      default -> Op.Outcome.UNKNOWN;
    };
  }

  static String reason(RuntimeException e) {
    return MogulException.from(e).reason().name();
  }

  static boolean notFound(RuntimeException e) {
    return MogulException.from(e).reason() == ErrorReason.UNKNOWN_KEY;
  }
}
