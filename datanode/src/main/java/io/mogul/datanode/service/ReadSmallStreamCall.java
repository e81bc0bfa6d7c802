package io.mogul.datanode.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code ReadSmallStream} call: pipelined reads of small blobs, each answered on its own
 * with its verified bytes or its error (through {@link SmallReads}, the store's read path
 * that {@code Read} takes too). Its window of slots and flow control are a
 * {@link PipelineWindow} ({@code server.maxPipelinedReads}), as for {@link WriteSmallStreamCall}.
 *
 * <p>Reads run on the read executor ({@code server.readThreads}; with none, the transport
 * thread itself), but not one task per item: received items queue here, and one drain task
 * at a time reads them in order of arrival, so items that arrive while a drain runs cost no
 * further hand-off. With no read threads the drain runs inline in the message callback. The
 * queue is guarded by the window's lock; the blob reads themselves run outside it.
 */
final class ReadSmallStreamCall implements StreamObserver<ReadSmallRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ReadSmallStreamCall.class);

  /** Meters shared by every stream of a service. */
  static PipelineWindow.Meters meters(MeterRegistry registry) {
    return new PipelineWindow.Meters(registry, "mogul.datanode.read.stream", "outstanding",
        "ReadSmallStream items received and not yet answered to the transport, all streams together",
        "Items a ReadSmallStream call held outstanding when it received one more "
            + "(never above server.maxPipelinedReads)");
  }

  private final SmallReads reads;
  private final Executor executor;
  private final PipelineWindow<ReadSmallReply> window;
  // Guarded by window:
  /** Items received and not yet taken by the drain, in order of arrival. */
  private final ArrayDeque<ReadSmallRequest> pending = new ArrayDeque<>();
  /** A drain task is queued or running; it takes every item that arrives meanwhile. */
  private boolean draining;

  private ReadSmallStreamCall(SmallReads reads, Executor executor, ServerCallStreamObserver<ReadSmallReply> call,
      int window, PipelineWindow.Meters meters) {
    this.reads = reads;
    this.executor = executor;
    // Cancelled: items not yet read are dropped.
    this.window = PipelineWindow.start(call, window, meters, pending::clear);
  }

  /**
   * Sets the call up for manual flow control and requests a window ({@code window} at least
   * 1) of items; must run in the service method, before it returns the observer.
   *
   * @param executor where items are read ({@code Runnable::run}: on the transport thread)
   */
  static ReadSmallStreamCall start(SmallReads reads, Executor executor, ServerCallStreamObserver<ReadSmallReply> call,
      int window, PipelineWindow.Meters meters) {
    return new ReadSmallStreamCall(reads, executor, call, window, meters);
  }

  @Override
  public void onNext(ReadSmallRequest req) {
    if (!window.admit()) {
      return;
    }
    boolean startDrain;
    synchronized (window) {
      if (window.ended()) {
        return; // cancelled meanwhile: its slot was given back with the others
      }
      pending.add(req);
      startDrain = !draining;
      draining = true;
    }
    if (startDrain) {
      executor.execute(this::drain);
    }
  }

  /** Reads the queued items one after the other until none is left (or the call ended). */
  private void drain() {
    while (true) {
      ReadSmallRequest req;
      synchronized (window) {
        req = window.ended() ? null : pending.poll();
        if (req == null) {
          pending.clear();
          draining = false;
          return;
        }
      }
      window.answer(reads.read(req));
    }
  }

  @Override
  public void onCompleted() {
    window.halfClosed();
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled or the connection broke (the cancel handler runs too).
    LOG.debug("read stream ended by the client: {}", t.toString());
    window.cancelled();
  }
}
