package io.mogul.datanode.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mogul.common.ByteStrings;
import io.mogul.common.MogulException;
import io.mogul.datanode.storage.NeedleLocation;
import io.mogul.datanode.storage.Store;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.WriteSmallRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The one path by which a single-message blob is written, shared by {@code WriteSmall} and
 * {@code WriteSmallStream}: the store's checks (fid, size, CRC32C against the sender's, a
 * writable device: known, alive, host not read-only, healthy, above its reserve) and its
 * group-commit append, which completes once data and index entry are fsync'ed. Records
 * every item in {@code mogul.datanode.small.writes{rpc,outcome}} (outcome OK or the error
 * reason).
 */
final class SmallWrites {
  /** The rpc an item came through, as named in the metric. */
  enum Rpc {
    WRITE_SMALL("WriteSmall"),
    WRITE_SMALL_STREAM("WriteSmallStream");

    final String method;

    Rpc(String method) {
      this.method = method;
    }
  }

  /** What becomes of one item; called exactly once, on whichever thread decided it. */
  interface Outcome {
    /** @param failure null when the blob is stored and durable, else why nothing of it was stored */
    void done(MogulException failure);
  }

  private static final ErrorReason[] REASONS = ErrorReason.values();

  private final Store store;
  private final MeterRegistry registry;
  /** Per rpc: index 0 the OK timer, 1 + ordinal the timer of each error reason; filled on first use. */
  private final AtomicReferenceArray<Timer>[] timers;

  @SuppressWarnings("unchecked")
  SmallWrites(Store store, MeterRegistry registry) {
    this.store = store;
    this.registry = registry;
    this.timers = new AtomicReferenceArray[Rpc.values().length];
    for (Rpc rpc : Rpc.values()) {
      timers[rpc.ordinal()] = new AtomicReferenceArray<>(REASONS.length + 1);
    }
  }

  /** Checks and stores one blob; {@code outcome} hears of it once it is durable or has failed. */
  void write(WriteSmallRequest req, Rpc rpc, Outcome outcome) {
    long start = System.nanoTime();
    CompletableFuture<NeedleLocation> stored;
    try {
      stored = store.writeSmall(req.getDeviceId(), req.getFid(), ByteStrings.view(req.getData()),
          req.getCrc32C());
    } catch (RuntimeException e) { // refused by a check before anything was queued
      finish(rpc, start, Statuses.typed(e), outcome);
      return;
    }
    stored.whenComplete((loc, err) -> finish(rpc, start, err == null ? null : Statuses.typed(err), outcome));
  }

  private void finish(Rpc rpc, long start, MogulException failure, Outcome outcome) {
    timer(rpc, failure).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    outcome.done(failure);
  }

  private Timer timer(Rpc rpc, MogulException failure) {
    int slot = failure == null ? 0 : 1 + failure.reason().ordinal();
    AtomicReferenceArray<Timer> byOutcome = timers[rpc.ordinal()];
    Timer t = byOutcome.get(slot);
    if (t == null) {
      t = Timer.builder("mogul.datanode.small.writes")
          .description("Single-message blob writes (WriteSmall calls and WriteSmallStream items) until durable, "
              + "by rpc and outcome")
          .tag("rpc", rpc.method).tag("outcome", failure == null ? "OK" : failure.reason().name())
          .register(registry);
      byOutcome.set(slot, t); // registering again returns the same timer, so a race is harmless
    }
    return t;
  }
}
