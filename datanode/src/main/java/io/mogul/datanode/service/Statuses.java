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

/** Turns any failure of a datanode call into the typed error sent to the caller. */
final class Statuses {
  private static final Logger LOG = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  /** The gRPC status that ends a call which failed with {@code t}. */
  static StatusRuntimeException of(Throwable t) {
    t = unwrap(t);
    if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.CANCELLED) {
      return s;
    }
    return typed(t).toStatusException();
  }

  /**
   * The typed error behind {@code t}: I/O failures become DEVICE_UNAVAILABLE, anything
   * unexpected INTERNAL (and is logged, since it is a defect).
   */
  static MogulException typed(Throwable t) {
    t = unwrap(t);
    if (t instanceof MogulException m) {
      return m;
    }
    if (t instanceof IOException) {
      LOG.warn("I/O failure serving a call", t);
      return new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "I/O error: " + t.getMessage(), t);
    }
    if (t instanceof StatusRuntimeException) {
      return MogulException.from(t);
    }
    LOG.error("unexpected failure serving a call", t);
    return new MogulException(ErrorReason.INTERNAL, String.valueOf(t), t);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
