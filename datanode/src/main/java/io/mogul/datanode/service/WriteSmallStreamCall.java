package io.mogul.datanode.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.common.MogulException;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code WriteSmallStream} call: pipelined single-message blob writes, each acknowledged
 * on its own once durable (through {@link SmallWrites}, the path {@code WriteSmall} takes).
 *
 * <p>Flow control is manual in both directions, as in grpc-java's manualflowcontrol example.
 * The call has a window of slots; an item holds a slot from the moment it is received until
 * its ack has been handed to the transport. Messages are requested from the transport only
 * for free slots, and acks are handed over only while the transport is ready (the client
 * reads them); the others wait here and go out from the on-ready handler. So however fast the
 * client sends, and even if it never reads its acks, the datanode holds at most a window of
 * a stream's items; the client is held back by HTTP/2 flow control. Freed slots are requested
 * in groups of an eighth of the window, which saves a transport task per item and cannot
 * stall: every slot is held, requested or freed, so when nothing is held and nothing is
 * requested the whole window is freed and requested at once.
 *
 * <p>Item outcomes arrive on the storage completion threads, on the transport thread (items
 * refused at once) and after a cancellation; every use of the response observer is under
 * this object's lock, except {@code request(n)}, which gRPC allows from any thread and which
 * is called outside the lock because it may deliver the next message on this very thread.
 */
final class WriteSmallStreamCall implements StreamObserver<WriteSmallRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteSmallStreamCall.class);

  /** Meters shared by every stream of a service. */
  static final class Meters {
    private final AtomicInteger held = new AtomicInteger();
    private final DistributionSummary windowUse;

    Meters(MeterRegistry registry) {
      Gauge.builder("mogul.datanode.write.stream.unacknowledged", held, AtomicInteger::get)
          .description("WriteSmallStream items received and not yet acknowledged, all streams together")
          .register(registry);
      windowUse = DistributionSummary.builder("mogul.datanode.write.stream.window.used")
          .description("Items a WriteSmallStream call held unacknowledged when it received one more "
              + "(never above server.maxPipelinedWrites)")
          .register(registry);
    }
  }

  private final SmallWrites writes;
  private final ServerCallStreamObserver<WriteSmallAck> call;
  private final int window;
  private final int requestGroup;
  private final Meters meters;
  // Guarded by this:
  private final ArrayDeque<WriteSmallAck> unsent = new ArrayDeque<>();
  /** Items received whose ack has not been handed to the transport (includes {@link #unsent}). */
  private int held;
  /** Slots freed by acks and not yet requested from the transport. */
  private int freed;
  private boolean halfClosed;
  /** Completed, or cancelled: nothing more is sent or requested. */
  private boolean ended;

  private WriteSmallStreamCall(SmallWrites writes, ServerCallStreamObserver<WriteSmallAck> call, int window,
      Meters meters) {
    this.writes = writes;
    this.call = call;
    this.window = window;
    this.requestGroup = Math.max(1, window / 8);
    this.meters = meters;
  }

  /**
   * Sets the call up for manual flow control and requests a window ({@code window} at least
   * 1) of items; must run in the service method, before it returns the observer.
   */
  static WriteSmallStreamCall start(SmallWrites writes, ServerCallStreamObserver<WriteSmallAck> call, int window,
      Meters meters) {
    WriteSmallStreamCall c = new WriteSmallStreamCall(writes, call, window, meters);
    call.disableAutoRequest();
    call.setOnReadyHandler(c::sendWaitingAcks);
    call.setOnCancelHandler(c::cancelled);
    call.request(window);
    return c;
  }

  @Override
  public void onNext(WriteSmallRequest req) {
    int nowHeld;
    synchronized (this) {
      if (ended) {
        return; // cancelled: the client hears of nothing more
      }
      nowHeld = ++held;
    }
    meters.held.incrementAndGet();
    meters.windowUse.record(nowHeld);
    writes.write(req, SmallWrites.Rpc.WRITE_SMALL_STREAM, failure -> acknowledge(ack(req, failure)));
  }

  private static WriteSmallAck ack(WriteSmallRequest req, MogulException failure) {
    WriteSmallAck.Builder a = WriteSmallAck.newBuilder().setFid(req.getFid()).setDeviceId(req.getDeviceId());
    if (failure == null) {
      a.setLength(req.getData().size()).setCrc32C(req.getCrc32C());
    } else {
      a.setError(failure.reason()).setErrorMessage(String.valueOf(failure.getMessage()));
    }
    return a.build();
  }

  /** An item's outcome is known: send its ack now if the transport takes it, else queue it. */
  private void acknowledge(WriteSmallAck ack) {
    int request;
    synchronized (this) {
      if (ended) {
        return; // the slot was given back when the call ended
      }
      if (unsent.isEmpty() && call.isReady()) {
        send(ack);
      } else {
        unsent.add(ack);
      }
      request = slotsToRequest();
      completeIfDone();
    }
    if (request > 0) {
      call.request(request);
    }
  }

  /** On-ready handler: the client reads again, so acks that waited go out, then more items are requested. */
  private void sendWaitingAcks() {
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

  /** Hands one ack to the transport and frees its slot. Caller holds the lock. */
  private void send(WriteSmallAck ack) {
    call.onNext(ack);
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

  /** After the client's half-close, the call completes once every item is acknowledged. Caller holds the lock. */
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
    LOG.debug("write stream ended by the client: {}", t.toString());
    cancelled();
  }

  /**
   * The call is over without a completion: items still being written finish (each whole or
   * not at all) but nothing more is sent, and the stream's slots are given back.
   */
  private void cancelled() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      meters.held.addAndGet(-held);
      held = 0;
      unsent.clear();
    }
  }
}
