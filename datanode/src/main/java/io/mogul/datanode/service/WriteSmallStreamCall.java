package io.mogul.datanode.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.common.MogulException;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code WriteSmallStream} call: pipelined single-message blob writes, each acknowledged
 * on its own once durable (through {@link SmallWrites}, the path {@code WriteSmall} takes).
 * Its window of slots and flow control are a {@link PipelineWindow}
 * ({@code server.maxPipelinedWrites}).
 *
 * <p>Item outcomes arrive on the storage completion threads, on the transport thread (items
 * refused at once) and after a cancellation; the window serialises what they send.
 */
final class WriteSmallStreamCall implements StreamObserver<WriteSmallRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteSmallStreamCall.class);

  /** Meters shared by every stream of a service. */
  static PipelineWindow.Meters meters(MeterRegistry registry) {
    return new PipelineWindow.Meters(registry, "mogul.datanode.write.stream", "unacknowledged",
        "WriteSmallStream items received and not yet acknowledged, all streams together",
        "Items a WriteSmallStream call held unacknowledged when it received one more "
            + "(never above server.maxPipelinedWrites)");
  }

  private final SmallWrites writes;
  private final PipelineWindow<WriteSmallAck> window;

  private WriteSmallStreamCall(SmallWrites writes, ServerCallStreamObserver<WriteSmallAck> call, int window,
      PipelineWindow.Meters meters) {
    this.writes = writes;
    // Items still being written when the call is cancelled finish (each whole or not at
    // all); only their acks are dropped.
    this.window = PipelineWindow.start(call, window, meters, () -> { });
  }

  /**
   * Sets the call up for manual flow control and requests a window ({@code window} at least
   * 1) of items; must run in the service method, before it returns the observer.
   */
  static WriteSmallStreamCall start(SmallWrites writes, ServerCallStreamObserver<WriteSmallAck> call, int window,
      PipelineWindow.Meters meters) {
    return new WriteSmallStreamCall(writes, call, window, meters);
  }

  @Override
  public void onNext(WriteSmallRequest req) {
    if (!window.admit()) {
      return;
    }
    writes.write(req, SmallWrites.Rpc.WRITE_SMALL_STREAM, failure -> window.answer(ack(req, failure)));
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

  @Override
  public void onCompleted() {
    window.halfClosed();
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled or the connection broke (the cancel handler runs too).
    LOG.debug("write stream ended by the client: {}", t.toString());
    window.cancelled();
  }
}
