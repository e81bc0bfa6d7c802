package io.mogul.meta.ratis;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.LogEntryResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers commands proposed concurrently on the leader into one log entry each, with up to
 * {@code maxInFlight} entries replicating at once. While all slots are busy, new commands
 * queue up and leave together in the next entry, so the batch size grows with the load.
 * Commands proposed together ({@link #proposeAll}) are queued at once, so a batch call's
 * commands share an entry instead of the first leaving alone while the rest are queued.
 * Each command's own result comes back to its caller.
 */
public final class ProposalBatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProposalBatcher.class);

  private record Pending(Command command, CompletableFuture<CommandResult> result) {}

  private final Function<LogEntry, CompletableFuture<LogEntryResult>> submitter;
  private final int maxCommands;
  private final Semaphore inFlight;
  /** Guarded by itself; the drainer waits on it for commands. */
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
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
    return proposeAll(List.of(command)).get(0);
  }

  /**
   * Proposes commands that are queued together: they leave in the same entry unless they
   * are more than one entry may carry. Results come back in order, one per command.
   */
  public List<CompletableFuture<CommandResult>> proposeAll(List<Command> commands) {
    List<CompletableFuture<CommandResult>> out = new ArrayList<>(commands.size());
    for (int i = 0; i < commands.size(); i++) {
      out.add(new CompletableFuture<>());
    }
    synchronized (queue) {
      if (!closed) {
        for (int i = 0; i < commands.size(); i++) {
          queue.add(new Pending(commands.get(i), out.get(i)));
        }
        queue.notifyAll();
        return out;
      }
    }
    MogulException shuttingDown = new MogulException(ErrorReason.UNAVAILABLE, "tracker is shutting down");
    out.forEach(f -> f.completeExceptionally(shuttingDown));
    return out;
  }

  private void drainLoop() {
    while (!closed) {
      try {
        synchronized (queue) {
          while (queue.isEmpty() && !closed) {
            queue.wait();
          }
        }
        if (closed) {
          break;
        }
        // Waiting for a slot first lets the entry gather everything that queues meanwhile.
        inFlight.acquire();
        List<Pending> batch = new ArrayList<>();
        synchronized (queue) {
          while (!queue.isEmpty() && batch.size() < maxCommands) {
            batch.add(queue.poll());
          }
        }
        submit(List.copyOf(batch));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    List<Pending> rest;
    synchronized (queue) {
      rest = new ArrayList<>(queue);
      queue.clear();
    }
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
    synchronized (queue) {
      closed = true;
      queue.notifyAll();
    }
    drainer.interrupt();
    try {
      drainer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    completions.shutdown();
  }
}
