package io.mogul.meta.ratis;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.LogEntryResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers commands proposed concurrently on the leader into one log entry each, with up to
 * {@code maxInFlight} entries replicating at once. While all slots are busy, new commands
 * queue up and leave together in the next entry, so the batch size grows with the load.
 * Each command's own result comes back to its caller.
 */
public final class ProposalBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProposalBatcher.class);

  private record Pending(Command command, CompletableFuture<CommandResult> result) {}

  private final Function<LogEntry, CompletableFuture<LogEntryResult>> submitter;
  private final int maxCommands;
  private final Semaphore inFlight;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread drainer;
  private final ExecutorService completions;
  private volatile boolean closed;

  public ProposalBatcher(Function<LogEntry, CompletableFuture<LogEntryResult>> submitter,
                         int maxCommands, int maxInFlight, String name) {
    this.submitter = submitter;
    this.maxCommands = Math.max(1, maxCommands);
    this.inFlight = new Semaphore(Math.max(1, maxInFlight));
    // Callers' continuations (building replies, gRPC writes) run here, not on the Raft
    // apply thread that completes the entry, so they never delay the next entry.
    this.completions = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, name + "-replies");
      t.setDaemon(true);
      return t;
    });
    this.drainer = new Thread(this::drainLoop, name);
    this.drainer.setDaemon(true);
    this.drainer.start();
  }

  /** Proposes one command; completes with its result once its entry is applied on this tracker. */
  public CompletableFuture<CommandResult> propose(Command command) {
    CompletableFuture<CommandResult> f = new CompletableFuture<>();
    if (closed) {
      f.completeExceptionally(new MogulException(ErrorReason.UNAVAILABLE, "tracker is shutting down"));
      return f;
    }
    queue.add(new Pending(command, f));
    return f;
  }

  private void drainLoop() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        inFlight.acquire();
        batch.add(first);
        queue.drainTo(batch, maxCommands - 1);
        submit(List.copyOf(batch));
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    failAll(batch);
    List<Pending> rest = new ArrayList<>();
    queue.drainTo(rest);
    failAll(rest);
  }

  private void submit(List<Pending> batch) {
    LogEntry.Builder entry = LogEntry.newBuilder();
    for (Pending p : batch) {
      entry.addCommands(p.command());
    }
    CompletableFuture<LogEntryResult> replicated;
    try {
      replicated = submitter.apply(entry.build());
    } catch (RuntimeException e) {
      replicated = CompletableFuture.failedFuture(e);
    }
    replicated.whenCompleteAsync((result, error) -> {
      inFlight.release();
      if (error != null) {
        MogulException m = MogulException.from(error);
        batch.forEach(p -> p.result().completeExceptionally(m));
        return;
      }
      if (result.getResultsCount() != batch.size()) {
        MogulException m = new MogulException(ErrorReason.INTERNAL,
            "entry returned " + result.getResultsCount() + " results for " + batch.size() + " commands");
        LOG.error(m.getMessage());
        batch.forEach(p -> p.result().completeExceptionally(m));
        return;
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(result.getResults(i));
      }
    }, completions);
  }

  private static void failAll(List<Pending> pending) {
    MogulException e = new MogulException(ErrorReason.UNAVAILABLE, "tracker is shutting down");
    pending.forEach(p -> p.result().completeExceptionally(e));
  }

  @Override
  public void close() {
    closed = true;
    drainer.interrupt();
    try {
      drainer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    completions.shutdown();
  }
}
