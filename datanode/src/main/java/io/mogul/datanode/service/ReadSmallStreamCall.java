package io.mogul.datanode.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code ReadSmallStream} call: pipelined reads of small blobs, each answered on its own
 * with its verified bytes or its error (through {@link SmallReads}, the store's read path
 * that {@code Read} takes too).
 *
 * <p>Flow control is manual in both directions, as in {@link WriteSmallStreamCall}. The call
 * has a window of slots ({@code server.maxPipelinedReads}); an item holds a slot from the
 * moment it is received until its reply has been handed to the transport. Messages are
 * requested only for free slots (freed slots in groups of an eighth of the window), and
 * replies are handed over only while the transport is ready; the others wait here and go
 * out from the on-ready handler. So a client that never reads its replies makes the
 * datanode hold at most a window of the stream's replies, and is itself held back by HTTP/2
 * flow control.
 *
 * <p>Reads run on the read executor ({@code server.readThreads}; with none, the transport
 * thread itself), but not one task per item: received items queue here, and one drain task
 * at a time reads them in order of arrival, so items that arrive while a drain runs cost no
 * further hand-off. With no read threads the drain runs inline in the message callback.
 * Every use of the response observer is under this object's lock, except
 * {@code request(n)}, which is called outside it because it may deliver the next message on
 * this very thread; the blob reads themselves run outside the lock.
 */
final class ReadSmallStreamCall implements StreamObserver<ReadSmallRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ReadSmallStreamCall.class);

  /** Meters shared by every stream of a service. */
  static final class Meters {
    private final AtomicInteger held = new AtomicInteger();
    private final DistributionSummary windowUse;

    Meters(MeterRegistry registry) {
      Gauge.builder("mogul.datanode.read.stream.outstanding", held, AtomicInteger::get)
          .description("ReadSmallStream items received and not yet answered to the transport, all streams together")
          .register(registry);
      windowUse = DistributionSummary.builder("mogul.datanode.read.stream.window.used")
          .description("Items a ReadSmallStream call held outstanding when it received one more "
              + "(never above server.maxPipelinedReads)")
          .register(registry);
    }
  }

  private final SmallReads reads;
  private final Executor executor;
  private final ServerCallStreamObserver<ReadSmallReply> call;
  private final int window;
  private final int requestGroup;
  private final Meters meters;
  // Guarded by this:
  /** Items received and not yet taken by the drain, in order of arrival. */
  private final ArrayDeque<ReadSmallRequest> pending = new ArrayDeque<>();
  /** Replies waiting for the transport to become ready. */
  private final ArrayDeque<ReadSmallReply> unsent = new ArrayDeque<>();
  /** Items received whose reply has not been handed to the transport (pending, being read, or unsent). */
  private int held;
  /** Slots freed by replies and not yet requested from the transport. */
  private int freed;
  /** A drain task is queued or running; it takes every item that arrives meanwhile. */
  private boolean draining;
  private boolean halfClosed;
  /** Completed, or cancelled: nothing more is read, sent or requested. */
  private boolean ended;

  private ReadSmallStreamCall(SmallReads reads, Executor executor, ServerCallStreamObserver<ReadSmallReply> call,
      int window, Meters meters) {
    this.reads = reads;
    this.executor = executor;
    this.call = call;
    this.window = window;
    this.requestGroup = Math.max(1, window / 8);
    this.meters = meters;
  }

  /**
   * Sets the call up for manual flow control and requests a window ({@code window} at least
   * 1) of items; must run in the service method, before it returns the observer.
   *
   * @param executor where items are read ({@code Runnable::run}: on the transport thread)
   */
  static ReadSmallStreamCall start(SmallReads reads, Executor executor, ServerCallStreamObserver<ReadSmallReply> call,
      int window, Meters meters) {
    ReadSmallStreamCall c = new ReadSmallStreamCall(reads, executor, call, window, meters);
    call.disableAutoRequest();
    call.setOnReadyHandler(c::sendWaitingReplies);
    call.setOnCancelHandler(c::cancelled);
    call.request(window);
    return c;
  }

  @Override
  public void onNext(ReadSmallRequest req) {
    int nowHeld;
    boolean startDrain;
    synchronized (this) {
      if (ended) {
        return; // cancelled: the client hears of nothing more
      }
      nowHeld = ++held;
      pending.add(req);
      startDrain = !draining;
      draining = true;
    }
    meters.held.incrementAndGet();
    meters.windowUse.record(nowHeld);
    if (startDrain) {
      executor.execute(this::drain);
    }
  }

  /** Reads the queued items one after the other until none is left (or the call ended). */
  private void drain() {
    while (true) {
      ReadSmallRequest req;
      synchronized (this) {
        req = ended ? null : pending.poll();
        if (req == null) {
          pending.clear();
          draining = false;
          return;
        }
      }
      answer(reads.read(req));
    }
  }

  /** An item's reply is ready: send it now if the transport takes it, else queue it. */
  private void answer(ReadSmallReply reply) {
    int request;
    synchronized (this) {
      if (ended) {
        return; // the slot was given back when the call ended
      }
      if (unsent.isEmpty() && call.isReady()) {
        send(reply);
      } else {
        unsent.add(reply);
      }
      request = slotsToRequest();
      completeIfDone();
    }
    if (request > 0) {
      call.request(request);
    }
  }

  /** On-ready handler: the client reads again, so replies that waited go out, then more items are requested. */
  private void sendWaitingReplies() {
    int request;
    synchronized (this) {
      if (ended) {
        return;
      }
      while (!unsent.isEmpty() && call.isReady()) {
        send(unsent.poll());
      }
      request = slotsToRequest();
      completeIfDone();
    }
    if (request > 0) {
      call.request(request);
    }
  }

  /** Hands one reply to the transport and frees its slot. Caller holds the lock. */
  private void send(ReadSmallReply reply) {
    call.onNext(reply);
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

  @Override
  public void onCompleted() {
    synchronized (this) {
      halfClosed = true;
      completeIfDone();
    }
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled or the connection broke (the cancel handler runs too).
    LOG.debug("read stream ended by the client: {}", t.toString());
    cancelled();
  }

  /** The call is over without a completion: queued items are dropped, the stream's slots given back. */
  private void cancelled() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      meters.held.addAndGet(-held);
      held = 0;
      pending.clear();
      unsent.clear();
    }
  }
}
