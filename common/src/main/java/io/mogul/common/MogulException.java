package io.mogul.common;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mogul.proto.CallError;
import io.mogul.proto.ErrorReason;

/**
 * An error with a machine-readable {@link ErrorReason}. On the wire it travels as a gRPC
 * status whose code follows from the reason, with the reason's name in the
 * {@value #REASON_TRAILER} trailer, so every process and client sees the same typed error.
 */
public class MogulException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Trailer that carries the {@link ErrorReason} name. */
  public static final String REASON_TRAILER = "mogul-reason";
  public static final Metadata.Key<String> REASON_KEY =
      Metadata.Key.of(REASON_TRAILER, Metadata.ASCII_STRING_MARSHALLER);

  private final ErrorReason reason;

  public MogulException(ErrorReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public MogulException(ErrorReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public ErrorReason reason() {
    return reason;
  }

  /** True when the same call may succeed if tried again, possibly on another node. */
  public boolean retriable() {
    return isRetriable(reason);
  }

  public static boolean isRetriable(ErrorReason reason) {
    return reason == ErrorReason.NOT_LEADER || reason == ErrorReason.UNAVAILABLE;
  }

  public CallError toCallError() {
    return CallError.newBuilder().setReason(reason).setMessage(String.valueOf(getMessage())).build();
  }

  public static MogulException fromCallError(CallError error) {
    return new MogulException(error.getReason(), error.getMessage());
  }

  /** The gRPC status for this error, with the reason trailer attached. */
  public StatusRuntimeException toStatusException() {
    Metadata trailers = new Metadata();
    trailers.put(REASON_KEY, reason.name());
    return statusCode(reason).withDescription(getMessage()).asRuntimeException(trailers);
  }

  /** Waits for {@code future}; its failure is rethrown as the typed error behind it. */
  public static <T> T unwrapJoin(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      throw from(e);
    }
  }

  /** The failure behind {@link java.util.concurrent.CompletionException} and {@link java.util.concurrent.ExecutionException} wrappers. */
  public static Throwable unwrapCompletion(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Recovers the typed error from anything a gRPC call threw (completion wrappers included). Status codes without a
   * reason trailer (deadline, transport failures) map to {@link ErrorReason#UNAVAILABLE}
   * when they are transient and {@link ErrorReason#INTERNAL} otherwise.
   */
  public static MogulException from(Throwable t) {
    t = unwrapCompletion(t);
    if (t instanceof MogulException m) {
      return m;
    }
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    String name = trailers == null ? null : trailers.get(REASON_KEY);
    if (name != null) {
      try {
        return new MogulException(ErrorReason.valueOf(name), status.getDescription(), t);
      } catch (IllegalArgumentException unknownReason) {
        // A newer peer may send a reason this build does not know; fall through to the code.
      }
    }
    ErrorReason reason = transientCode(status.getCode()) ? ErrorReason.UNAVAILABLE : switch (status.getCode()) {
      case INVALID_ARGUMENT -> ErrorReason.INVALID_ARGUMENT;
      case NOT_FOUND -> ErrorReason.BLOB_NOT_FOUND;
      case DATA_LOSS -> ErrorReason.CHECKSUM_MISMATCH;
      default -> ErrorReason.INTERNAL;
    };
    String description = status.getDescription() != null ? status.getDescription()
        : status.getCode() + (status.getCause() != null ? ": " + status.getCause().getMessage() : "");
    return new MogulException(reason, description, t);
  }

  /**
   * Whether a gRPC status code, with no reason of ours attached, is a transient failure
   * (deadline, transport, overload) that a caller may retry elsewhere.
   */
  public static boolean transientCode(Status.Code code) {
    return switch (code) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED, CANCELLED -> true;
      default -> false;
    };
  }

  static Status statusCode(ErrorReason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT, INVALID_NAME, INVALID_STATE_CHANGE, FID_MISMATCH, LENGTH_MISMATCH,
          UNKNOWN_SETTING -> Status.INVALID_ARGUMENT;
      case UNKNOWN_DOMAIN, UNKNOWN_CLASS, UNKNOWN_KEY, UNKNOWN_HOST, UNKNOWN_DEVICE, UNKNOWN_FID,
          BLOB_NOT_FOUND -> Status.NOT_FOUND;
      case KEY_EXISTS, DOMAIN_EXISTS, CLASS_EXISTS, HOST_EXISTS, DEVICE_EXISTS -> Status.ALREADY_EXISTS;
      case DOMAIN_NOT_EMPTY, CLASS_IN_USE, HOST_NOT_EMPTY, UPLOAD_EXPIRED, UPGRADE_REQUIRED -> Status.FAILED_PRECONDITION;
      case NO_WRITABLE_DEVICE, DEVICE_FULL -> Status.RESOURCE_EXHAUSTED;
      case NOT_LEADER, UNAVAILABLE, DEVICE_UNAVAILABLE -> Status.UNAVAILABLE;
      case CHECKSUM_MISMATCH -> Status.DATA_LOSS;
      default -> Status.INTERNAL;
    };
  }
}
