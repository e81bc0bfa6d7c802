package io.mogul.gateway.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * The meters of one gateway cache, tagged {@code cache=<name>}: lookups by result (hit or
 * miss), entries dropped for size or age, and gauges of its size. Prometheus shows them as
 * {@code mogul_gateway_cache_lookups_total{cache,result}},
 * {@code mogul_gateway_cache_evictions_total}, {@code mogul_gateway_cache_entries} and,
 * for a cache bounded by bytes, {@code mogul_gateway_cache_bytes}.
 */
final class CacheMetrics {
  private final MeterRegistry registry;
  private final String cache;
  private final Counter hits;
  private final Counter misses;
  private final Counter evictions;

  CacheMetrics(MeterRegistry registry, String cache) {
    this.registry = registry;
    this.cache = cache;
    this.hits = lookups("hit");
    this.misses = lookups("miss");
    this.evictions = Counter.builder("mogul.gateway.cache.evictions").tag("cache", cache)
        .description("Entries the gateway cache dropped for size or age").register(registry);
  }

  private Counter lookups(String result) {
    return Counter.builder("mogul.gateway.cache.lookups").tag("cache", cache).tag("result", result)
        .description("Gateway cache lookups by result").register(registry);
  }

  void hit() {
    hits.increment();
  }

  void miss() {
    misses.increment();
  }

  void evicted() {
    evictions.increment();
  }

  /** Registers a gauge of the cache's size; {@code unit} is "entries" or "bytes". */
  void gauge(String unit, Supplier<Number> value) {
    Gauge.builder("mogul.gateway.cache." + unit, value).tag("cache", cache)
        .description("Gateway cache size in " + unit).strongReference(true).register(registry);
  }
}
