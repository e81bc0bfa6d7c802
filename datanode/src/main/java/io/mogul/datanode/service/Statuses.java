package io.mogul.datanode.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns any failure of a datanode call into the typed gRPC status sent to the caller. */
final class Statuses {
  private static final Logger LOG = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  static StatusRuntimeException of(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof MogulException m) {
      return m.toStatusException();
    }
    if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.CANCELLED) {
      return s;
    }
    if (t instanceof IOException) {
      LOG.warn("I/O failure serving a call", t);
      return new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "I/O error: " + t.getMessage(), t).toStatusException();
    }
    if (t instanceof StatusRuntimeException) {
      return MogulException.from(t).toStatusException();
    }
    LOG.error("unexpected failure serving a call", t);
    return new MogulException(ErrorReason.INTERNAL, String.valueOf(t), t).toStatusException();
  }
}
