package io.mogul.meta.service;

import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Completes gRPC calls from futures, turning every failure into a typed status. */
final class Calls {
  private static final Logger LOG = LoggerFactory.getLogger(Calls.class);

  private Calls() {}

  static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  static <T> void reply(CompletableFuture<T> result, StreamObserver<T> out) {
    result.whenComplete((value, error) -> {
      if (error != null) {
        out.onError(toMogul(error).toStatusException());
      } else {
        out.onNext(value);
        out.onCompleted();
      }
    });
  }

  /** Runs a synchronous body and replies. */
  static <T> void now(Supplier<T> body, StreamObserver<T> out) {
    T value;
    try {
      value = body.get();
    } catch (RuntimeException e) {
      out.onError(toMogul(e).toStatusException());
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }

  static MogulException toMogul(Throwable error) {
    Throwable t = MogulException.unwrapCompletion(error);
    if (!(t instanceof MogulException)) {
      LOG.warn("call failed unexpectedly", t);
    }
    return MogulException.from(t);
  }
}
