package io.mogul.common.metrics;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Request rates, latencies and message bytes of every gRPC method a process serves:
 * {@code mogul_grpc_server_calls_seconds{method,code}} and
 * {@code mogul_grpc_server_bytes_total{method,direction}}.
 */
public final class GrpcServerMetrics implements ServerInterceptor {
  private final MeterRegistry registry;

  public GrpcServerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    long start = System.nanoTime();
    Counter bytesIn = bytes(method, "in");
    Counter bytesOut = bytes(method, "out");
    ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(R message) {
        bytesOut.increment(sizeOf(message));
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        Timer.builder("mogul.grpc.server.calls").description("gRPC calls served, by method and status code")
            .tag("method", method).tag("code", status.getCode().name())
            .publishPercentiles(0.5, 0.99)
            .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        super.close(status, trailers);
      }
    };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
      @Override
      public void onMessage(Q message) {
        bytesIn.increment(sizeOf(message));
        super.onMessage(message);
      }
    };
  }

  private Counter bytes(String method, String direction) {
    return Counter.builder("mogul.grpc.server.bytes").baseUnit("bytes")
        .description("gRPC message bytes, by method and direction")
        .tag("method", method).tag("direction", direction).register(registry);
  }

  private static int sizeOf(Object message) {
    return message instanceof MessageLite m ? m.getSerializedSize() : 0;
  }
}
