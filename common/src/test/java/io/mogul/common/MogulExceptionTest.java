package io.mogul.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mogul.proto.ErrorReason;
import org.junit.jupiter.api.Test;

class MogulExceptionTest {
  @Test
  void everyReasonSurvivesTheTripThroughAGrpcStatus() {
    for (ErrorReason reason : ErrorReason.values()) {
      if (reason == ErrorReason.UNRECOGNIZED || reason == ErrorReason.ERROR_REASON_UNSPECIFIED) {
        continue;
      }
      StatusRuntimeException wire = new MogulException(reason, "boom " + reason).toStatusException();
      MogulException back = MogulException.from(wire);
      assertEquals(reason, back.reason());
      assertEquals("boom " + reason, back.getMessage());
    }
  }

  @Test
  void statusCodesFollowTheReason() {
    assertEquals(Status.Code.NOT_FOUND,
        new MogulException(ErrorReason.UNKNOWN_KEY, "x").toStatusException().getStatus().getCode());
    assertEquals(Status.Code.ALREADY_EXISTS,
        new MogulException(ErrorReason.KEY_EXISTS, "x").toStatusException().getStatus().getCode());
    assertEquals(Status.Code.UNAVAILABLE,
        new MogulException(ErrorReason.NOT_LEADER, "x").toStatusException().getStatus().getCode());
  }

  @Test
  void transportFailuresWithoutReasonAreRetriableUnavailable() {
    MogulException e = MogulException.from(Status.UNAVAILABLE.withDescription("connection refused").asRuntimeException());
    assertEquals(ErrorReason.UNAVAILABLE, e.reason());
    assertTrue(e.retriable());
    MogulException deadline = MogulException.from(Status.DEADLINE_EXCEEDED.asRuntimeException());
    assertTrue(deadline.retriable());
    assertFalse(MogulException.from(Status.INTERNAL.asRuntimeException()).retriable());
  }
}
