package io.mogul.meta.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.junit.jupiter.api.Test;

class RaftNodeErrorsTest {
  @Test
  void aPeerThatDidNotAnswerIsRetriableAndAnyOtherFailureIsInternal() {
    // The failure seen when a follower's read barrier asked a frozen leader for the read index.
    MogulException deadline = RaftNode.toMogul(Status.DEADLINE_EXCEEDED
        .withDescription("CallOptions deadline exceeded after 3.9s").asRuntimeException());
    assertEquals(ErrorReason.UNAVAILABLE, deadline.reason(), deadline.getMessage());
    assertEquals(ErrorReason.UNAVAILABLE, RaftNode.toMogul(Status.UNAVAILABLE.asRuntimeException()).reason());
    assertEquals(ErrorReason.UNAVAILABLE,
        RaftNode.toMogul(new IllegalStateException("wrapped", Status.UNAVAILABLE.asException())).reason());
    assertEquals(ErrorReason.INTERNAL, RaftNode.toMogul(Status.INVALID_ARGUMENT.asRuntimeException()).reason());
    assertEquals(ErrorReason.INTERNAL, RaftNode.toMogul(new IllegalStateException("a bug")).reason());
    assertEquals(ErrorReason.UNAVAILABLE, RaftNode.toMogul(new IOException("closed")).reason());
    assertEquals(ErrorReason.NOT_LEADER, RaftNode.toMogul(new NotLeaderException(null, null, null)).reason());
    assertEquals(ErrorReason.INTERNAL, RaftNode.toMogul(new CompletionException(new IllegalStateException("x")))
        .reason());
  }
}
