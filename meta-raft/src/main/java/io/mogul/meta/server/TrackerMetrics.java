package io.mogul.meta.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.Table;
import io.mogul.proto.RaftRole;
import io.mogul.proto.TrackerStatus;
import java.util.function.ToDoubleFunction;

/** The tracker's own gauges: its Raft position and the depth of the work queues it holds. */
final class TrackerMetrics {
  private TrackerMetrics() {}

  static void bind(MeterRegistry registry, TrackerCore core) {
    raft(registry, "mogul.raft.term", "Current Raft term", core, s -> s.getTerm());
    raft(registry, "mogul.raft.commit.index", "Last committed log index", core, s -> s.getCommitIndex());
    raft(registry, "mogul.raft.applied.index", "Last applied log index", core, s -> s.getAppliedIndex());
    raft(registry, "mogul.raft.snapshot.index", "Index of the newest snapshot", core, s -> s.getSnapshotIndex());
    raft(registry, "mogul.raft.leader", "1 while this tracker leads", core, s -> s.getRole() == RaftRole.LEADER ? 1 : 0);
    queue(registry, "deletions", core, c -> c.read(view -> view.count(Table.DELETIONS)));
    // Uploads held in this tracker's memory (it issued them as leader), plus any recorded
    // in the state by older log entries.
    queue(registry, "open_uploads", core, c -> c.uploads().size() + c.read(view -> view.count(Table.UPLOADS)));
  }

  private static void raft(MeterRegistry registry, String name, String help, TrackerCore core,
      ToDoubleFunction<TrackerStatus> value) {
    Gauge.builder(name, core, c -> value.applyAsDouble(c.raft().status(""))).description(help).register(registry);
  }

  private static void queue(MeterRegistry registry, String queue, TrackerCore core, ToDoubleFunction<TrackerCore> depth) {
    Gauge.builder("mogul.queue.depth", core, depth)
        .description("Entries waiting in a tracker work queue").tag("queue", queue).register(registry);
  }
}
