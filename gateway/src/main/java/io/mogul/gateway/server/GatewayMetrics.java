package io.mogul.gateway.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** Request rates, latencies and bytes of the gateway, in the process's meter registry. */
final class GatewayMetrics {
  private final MeterRegistry registry;
  private final Counter bytesOut;
  private final Counter bytesIn;

  GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.bytesOut = Counter.builder("mogul.gateway.bytes.out").baseUnit("bytes")
        .description("Body bytes sent to HTTP clients").register(registry);
    this.bytesIn = Counter.builder("mogul.gateway.bytes.in").baseUnit("bytes")
        .description("Body bytes stored from HTTP clients").register(registry);
  }

  void request(String method, int status, long nanos) {
    Timer.builder("mogul.gateway.requests")
        .description("HTTP requests by method and status class")
        .tag("method", method)
        .tag("status", (status / 100) + "xx")
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void bytesOut(long n) {
    bytesOut.increment(n);
  }

  void bytesIn(long n) {
    bytesIn.increment(n);
  }
}
