package io.mogul.client;

import io.mogul.common.grpc.ChannelPool;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls any tracker of the cluster with failover. It sticks to the tracker that answered
 * last; a retriable failure ({@code NOT_LEADER}, {@code UNAVAILABLE}, transport errors)
 * moves on to the next tracker at once, and only after every tracker was tried once in a
 * round does it back off, so a leader change costs one extra round trip rather than a sleep.
 * A follower names the leader in a {@code mogul-leader} response header; when that address
 * is one of this client's trackers, later calls go straight to it, sparing every write the
 * follower's forwarding hop.
 *
 * <p>Lookups that accept a stale answer ({@link #callAnyTracker}) do not stick to the leader:
 * each starts at the next tracker in turn, spreading read load over every replica, and
 * fails over the same way.
 */
final class TrackerCaller {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerCaller.class);
  /** The header a follower names the leader's client address in. */
  static final Metadata.Key<String> LEADER = Metadata.Key.of("mogul-leader", Metadata.ASCII_STRING_MARSHALLER);

  private final List<String> trackers;
  private final ChannelPool channels;
  private final RetryPolicy retry;
  private final ScheduledExecutorService scheduler;
  private final AtomicInteger preferred = new AtomicInteger();
  private final AtomicInteger nextAnyTracker = new AtomicInteger();
  private final Route sticky = new Sticky();
  private final Map<String, Channel> hinted = new ConcurrentHashMap<>();

  TrackerCaller(List<String> trackers, ChannelPool channels, RetryPolicy retry,
      ScheduledExecutorService scheduler) {
    if (trackers.isEmpty()) {
      throw new IllegalArgumentException("at least one tracker address is needed");
    }
    this.trackers = List.copyOf(trackers);
    this.channels = channels;
    this.retry = retry;
    this.scheduler = scheduler;
  }

  List<String> trackers() {
    return trackers;
  }

  /**
   * Runs {@code call} against a tracker channel, retrying retriable failures on other
   * trackers until the retry policy or {@code deadlineNanos} (a {@link System#nanoTime()}
   * instant) runs out. The call must set its own per-call deadline.
   */
  <T> CompletableFuture<T> call(Function<Channel, ListenableFuture<T>> call, long deadlineNanos) {
    return start(call, deadlineNanos, false, sticky);
  }

  /**
   * As {@link #call}, for calls that change nothing: an {@code INTERNAL} error, which a
   * single broken tracker replica may give, is also tried once on each other tracker.
   */
  <T> CompletableFuture<T> callReadOnly(Function<Channel, ListenableFuture<T>> call, long deadlineNanos) {
    return start(call, deadlineNanos, true, sticky);
  }

  /**
   * As {@link #callReadOnly}, for lookups any replica may answer (the request asks for a
   * possibly stale read): starts at the next tracker in turn rather than at the leader.
   */
  <T> CompletableFuture<T> callAnyTracker(Function<Channel, ListenableFuture<T>> call, long deadlineNanos) {
    return start(call, deadlineNanos, true, new Spread(nextAnyTracker.getAndIncrement()));
  }

  private <T> CompletableFuture<T> start(Function<Channel, ListenableFuture<T>> call, long deadlineNanos,
      boolean readOnly, Route route) {
    CompletableFuture<T> result = new CompletableFuture<>();
    long retryEnd = System.nanoTime() + retry.maxElapsed().toNanos();
    attempt(call, retryEnd - deadlineNanos < 0 ? retryEnd : deadlineNanos, 1, readOnly ? trackers.size() - 1 : 0,
        route, result);
    return result;
  }

  private <T> void attempt(Function<Channel, ListenableFuture<T>> call, long deadlineNanos,
      int attempt, int internalRetries, Route route, CompletableFuture<T> result) {
    int raw = route.pick(attempt);
    String address = trackers.get(Math.floorMod(raw, trackers.size()));
    CompletableFuture<T> future;
    try {
      future = GrpcFutures.toCompletable(call.apply(hinted.computeIfAbsent(address,
          a -> ClientInterceptors.intercept(channels.get(a), new LeaderHint()))));
    } catch (RuntimeException e) {
      result.completeExceptionally(MogulException.from(e));
      return;
    }
    future.whenComplete((value, error) -> {
      if (error == null) {
        result.complete(value);
        return;
      }
      MogulException failure = GrpcFutures.unwrap(error);
      boolean internal = failure.reason() == ErrorReason.INTERNAL && internalRetries > 0;
      if (!(failure.retriable() || internal) || attempt >= retry.maxAttempts()) {
        result.completeExceptionally(failure);
        return;
      }
      int internalLeft = internal ? internalRetries - 1 : internalRetries;
      route.failed(raw);
      long delayMs = attempt % trackers.size() == 0 ? retry.backoffMillis(attempt / trackers.size()) : 0;
      if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) >= deadlineNanos) {
        result.completeExceptionally(new MogulException(failure.reason(),
            "gave up after " + attempt + " attempts: " + failure.getMessage(), failure));
        return;
      }
      LOG.debug("tracker {} failed ({}: {}); attempt {} in {} ms", address, failure.reason(),
          failure.getMessage(), attempt + 1, delayMs);
      if (delayMs == 0) {
        attempt(call, deadlineNanos, attempt + 1, internalLeft, route, result);
      } else {
        scheduler.schedule(() -> attempt(call, deadlineNanos, attempt + 1, internalLeft, route, result),
            delayMs, TimeUnit.MILLISECONDS);
      }
    });
  }

  /** Which tracker an attempt goes to (an index taken modulo the tracker count). */
  private interface Route {
    /** The tracker for attempt number {@code attempt} (1 for the first). */
    int pick(int attempt);

    /** The attempt at tracker {@code raw} failed retriably. */
    void failed(int raw);
  }

  /** The tracker that answered last, shared by all calls; a failure moves every call on. */
  private final class Sticky implements Route {
    @Override
    public int pick(int attempt) {
      return preferred.get();
    }

    @Override
    public void failed(int raw) {
      // Move on from this tracker unless another call already did.
      preferred.compareAndSet(raw, raw + 1);
    }
  }

  /** This call's own walk over the trackers from {@code first}, leaving the sticky choice alone. */
  private record Spread(int first) implements Route {
    @Override
    public int pick(int attempt) {
      return first + attempt - 1;
    }

    @Override
    public void failed(int raw) {}
  }

  /** Follows a follower's hint: the next calls go to the leader it names. */
  private final class LeaderHint implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onHeaders(Metadata responseHeaders) {
              String leader = responseHeaders.get(LEADER);
              int index = leader == null ? -1 : trackers.indexOf(leader);
              if (index >= 0) {
                preferred.set(index);
              }
              super.onHeaders(responseHeaders);
            }
          }, headers);
        }
      };
    }
  }
}
