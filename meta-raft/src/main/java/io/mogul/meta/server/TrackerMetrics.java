package io.mogul.meta.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.meta.jobs.BackgroundJobs;
import io.mogul.meta.request.JobRecords;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.Table;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.RaftRole;
import io.mogul.proto.TrackerStatus;
import java.util.function.ToDoubleFunction;

/**
 * The tracker's own meters: its Raft position, the depth of the work queues it holds, the
 * fsck's progress and its repairs. Every one is cheap to read: none scans the fids.
 */
final class TrackerMetrics {
  private TrackerMetrics() {}

  static void bind(MeterRegistry registry, TrackerCore core, BackgroundJobs jobs) {
    raft(registry, "mogul.raft.term", "Current Raft term", core, s -> s.getTerm());
    raft(registry, "mogul.raft.commit.index", "Last committed log index", core, s -> s.getCommitIndex());
    raft(registry, "mogul.raft.applied.index", "Last applied log index", core, s -> s.getAppliedIndex());
    raft(registry, "mogul.raft.snapshot.index", "Index of the newest snapshot", core, s -> s.getSnapshotIndex());
    raft(registry, "mogul.raft.leader", "1 while this tracker leads", core, s -> s.getRole() == RaftRole.LEADER ? 1 : 0);
    FunctionCounter.builder("mogul.repair.copies", core, c -> c.repairs().copiesMade())
        .description("Copies re-replication, drain and fsck repairs made while this tracker led").register(registry);
    FunctionCounter.builder("mogul.repair.surplus.removed", core, c -> c.repairs().surplusCopiesRemoved())
        .description("Copies above mindevcount removed while this tracker led").register(registry);
    queue(registry, "deletions", core, c -> c.read(view -> view.count(Table.DELETIONS)));
    // Uploads held in this tracker's memory (it issued them as leader), plus any recorded
    // in the state by older log entries.
    queue(registry, "open_uploads", core, c -> c.uploads().size() + c.read(view -> view.count(Table.UPLOADS)));
    // What the leader's replication job found needing repair in its last round; only the
    // leader runs the job, so other trackers report 0 rather than a figure from a past term.
    queue(registry, "replication", core, c -> c.raft().isLeader() ? jobs.replicationBacklog() : 0);
    fsck(registry, "mogul.fsck.running", "1 while the fsck runs", core, s -> s.getRunning() ? 1 : 0);
    fsck(registry, "mogul.fsck.fids.checked", "Fids the current (or last) fsck pass checked", core,
        s -> s.getFidsChecked());
    fsck(registry, "mogul.fsck.problems", "Problems the current (or last) fsck pass logged", core,
        s -> s.getProblems());
    fsck(registry, "mogul.fsck.repairs", "Repairs the current (or last) fsck pass made", core, s -> s.getRepairs());
  }

  private static void raft(MeterRegistry registry, String name, String help, TrackerCore core,
      ToDoubleFunction<TrackerStatus> value) {
    Gauge.builder(name, core, c -> value.applyAsDouble(c.raft().status(""))).description(help).register(registry);
  }

  private static void fsck(MeterRegistry registry, String name, String help, TrackerCore core,
      ToDoubleFunction<FsckStatus> value) {
    Gauge.builder(name, core, c -> value.applyAsDouble(c.read(JobRecords::fsck))).description(help).register(registry);
  }

  private static void queue(MeterRegistry registry, String queue, TrackerCore core, ToDoubleFunction<TrackerCore> depth) {
    Gauge.builder("mogul.queue.depth", core, depth)
        .description("Entries waiting in a tracker work queue").tag("queue", queue).register(registry);
  }
}
