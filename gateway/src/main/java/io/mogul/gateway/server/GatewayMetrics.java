package io.mogul.gateway.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/** Request rates, latencies and bytes of the gateway, in the process's meter registry. */
final class GatewayMetrics {
  private final MeterRegistry registry;
  private final Counter bytesOut;
  private final Counter bytesIn;
  /** Request timers by method, then by status class (1xx..5xx), registered on first use. */
  private final Map<String, AtomicReferenceArray<Timer>> requests = new ConcurrentHashMap<>();

  GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.bytesOut = Counter.builder("mogul.gateway.bytes.out").baseUnit("bytes")
        .description("Body bytes sent to HTTP clients").register(registry);
    this.bytesIn = Counter.builder("mogul.gateway.bytes.in").baseUnit("bytes")
        .description("Body bytes stored from HTTP clients").register(registry);
  }

  void request(String method, int status, long nanos) {
    int statusClass = status / 100;
    if (statusClass < 1 || statusClass > 5) {
      statusClass = 5;
    }
    AtomicReferenceArray<Timer> timers = requests.computeIfAbsent(method, m -> new AtomicReferenceArray<>(6));
    Timer timer = timers.get(statusClass);
    if (timer == null) {
      // Registering twice returns the same meter, so a race here is harmless.
      timer = Timer.builder("mogul.gateway.requests")
          .description("HTTP requests by method and status class")
          .tag("method", method)
          .tag("status", statusClass + "xx")
          .publishPercentiles(0.5, 0.99)
          .register(registry);
      timers.set(statusClass, timer);
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  void bytesOut(long n) {
    bytesOut.increment(n);
  }

  void bytesIn(long n) {
    bytesIn.increment(n);
  }
}
