package io.mogul.datanode.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The window of slots of one pipelined stream call ({@code WriteSmallStream},
 * {@code ReadSmallStream}), with manual flow control in both directions as in grpc-java's
 * manualflowcontrol example. An item holds a slot from the moment it is received
 * ({@link #admit}) until its answer has been handed to the transport ({@link #answer}).
 * Messages are requested from the transport only for free slots, and answers are handed
 * over only while the transport is ready (the client reads them); the others wait here and
 * go out from the on-ready handler. So however fast the client sends, and even if it never
 * reads its answers, the datanode holds at most a window of a stream's items; the client is
 * held back by HTTP/2 flow control. Freed slots are requested in groups of an eighth of the
 * window, which saves a transport task per item and cannot stall: every slot is held,
 * requested or freed, so when nothing is held and nothing is requested the whole window is
 * freed and requested at once.
 *
 * <p>Every use of the response observer is under this object's lock, except
 * {@code request(n)}, which gRPC allows from any thread and which is called outside the lock
 * because it may deliver the next message on this very thread. Callers may guard their own
 * per-call state with this object's lock too.
 *
 * @param <R> the answer message
 */
final class PipelineWindow<R> {
  /** Meters shared by every stream of one rpc. */
  static final class Meters {
    private final AtomicInteger held = new AtomicInteger();
    /** The most items one stream held at once since the process started. */
    private final AtomicInteger peak = new AtomicInteger();
    /** Answers of all streams ready but waiting for their client to read more. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final DistributionSummary windowUse;

    /**
     * Registers {@code <prefix>.<heldSuffix>}, the items all streams hold now;
     * {@code <prefix>.window.used}, how many a stream held whenever it took one more;
     * {@code <prefix>.window.peak}, the most a stream ever held at once (unlike the
     * summary's max, which covers only the last minute or so, the peak never decays); and
     * {@code <prefix>.answers.waiting}, answers ready but held back because their clients
     * do not read (a stream whose held items are all waiting is stalled on its client).
     */
    Meters(MeterRegistry registry, String prefix, String heldSuffix, String heldDescription,
        String windowDescription) {
      Gauge.builder(prefix + "." + heldSuffix, held, AtomicInteger::get).description(heldDescription)
          .register(registry);
      Gauge.builder(prefix + ".window.peak", peak, AtomicInteger::get)
          .description("Most items one stream held at once since the process started").register(registry);
      Gauge.builder(prefix + ".answers.waiting", waiting, AtomicInteger::get)
          .description("Answers ready but waiting for their client to read more").register(registry);
      windowUse = DistributionSummary.builder(prefix + ".window.used").description(windowDescription)
          .register(registry);
    }
  }

  private final ServerCallStreamObserver<R> call;
  private final int requestGroup;
  private final Meters meters;
  private final Runnable whenCancelled;
  // Guarded by this:
  private final ArrayDeque<R> unsent = new ArrayDeque<>();
  /** Items received whose answer has not been handed to the transport (includes {@link #unsent}). */
  private int held;
  /** Slots freed by answers and not yet requested from the transport. */
  private int freed;
  private boolean halfClosed;
  /** Completed, or cancelled: nothing more is sent or requested. */
  private boolean ended;

  private PipelineWindow(ServerCallStreamObserver<R> call, int window, Meters meters, Runnable whenCancelled) {
    this.call = call;
    this.requestGroup = Math.max(1, window / 8);
    this.meters = meters;
    this.whenCancelled = whenCancelled;
  }

  /**
   * Sets the call up for manual flow control and requests a window ({@code window} at least
   * 1) of items; must run in the service method, before it returns the observer.
   *
   * @param whenCancelled runs under this object's lock when the call ends without a completion
   */
  static <R> PipelineWindow<R> start(ServerCallStreamObserver<R> call, int window, Meters meters,
      Runnable whenCancelled) {
    PipelineWindow<R> w = new PipelineWindow<>(call, window, meters, whenCancelled);
    call.disableAutoRequest();
    call.setOnReadyHandler(w::sendWaiting);
    call.setOnCancelHandler(w::cancelled);
    call.request(window);
    return w;
  }

  /** An item arrived: it takes a slot. False when the call already ended (the client hears of nothing more). */
  boolean admit() {
    int nowHeld;
    synchronized (this) {
      if (ended) {
        return false;
      }
      nowHeld = ++held;
    }
    // The peak first: whoever sees the held count include this item sees the peak do so too.
    meters.peak.accumulateAndGet(nowHeld, Math::max);
    meters.held.incrementAndGet();
    meters.windowUse.record(nowHeld);
    return true;
  }

  /** Completed or cancelled. */
  synchronized boolean ended() {
    return ended;
  }

  /** An item's answer is ready: send it now if the transport takes it, else queue it. */
  void answer(R answer) {
    int request;
    synchronized (this) {
      if (ended) {
        return; // the slot was given back when the call ended
      }
      if (unsent.isEmpty() && call.isReady()) {
        send(answer);
      } else {
        unsent.add(answer);
        meters.waiting.incrementAndGet();
      }
      request = slotsToRequest();
      completeIfDone();
    }
    if (request > 0) {
      call.request(request);
    }
  }

  /** The client half-closed: the call completes once every item is answered. */
  void halfClosed() {
    synchronized (this) {
      halfClosed = true;
      completeIfDone();
    }
  }

  /** On-ready handler: the client reads again, so answers that waited go out, then more items are requested. */
  private void sendWaiting() {
    int request;
    synchronized (this) {
      if (ended) {
        return;
      }
      while (!unsent.isEmpty() && call.isReady()) {
        send(unsent.poll());
        meters.waiting.decrementAndGet();
      }
      request = slotsToRequest();
      completeIfDone();
    }
    if (request > 0) {
      call.request(request);
    }
  }

  /** Hands one answer to the transport and frees its slot. Caller holds the lock. */
  private void send(R answer) {
    call.onNext(answer);
    held--;
    freed++;
    meters.held.decrementAndGet();
  }

  /** Freed slots to request now (taken out of {@link #freed}). Caller holds the lock. */
  private int slotsToRequest() {
    if (freed < requestGroup || halfClosed) {
      return 0;
    }
    int n = freed;
    freed = 0;
    return n;
  }

  /** After the client's half-close, the call completes once every item is answered. Caller holds the lock. */
  private void completeIfDone() {
    if (halfClosed && held == 0 && !ended) {
      ended = true;
      call.onCompleted();
    }
  }

  /** The call is over without a completion: nothing more is sent, the stream's slots are given back. */
  void cancelled() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      meters.held.addAndGet(-held);
      meters.waiting.addAndGet(-unsent.size());
      held = 0;
      unsent.clear();
      whenCancelled.run();
    }
  }
}
