package io.mogul.meta.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.MogulException;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.Setting;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.LogEntryResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ProposalBatcherTest {
  /** A stand-in for the Raft log: entries complete only when the test releases them. */
  private static final class FakeLog {
    final List<LogEntry> entries = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<LogEntryResult>> pending = new CopyOnWriteArrayList<>();

    CompletableFuture<LogEntryResult> submit(LogEntry entry) {
      entries.add(entry);
      CompletableFuture<LogEntryResult> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    /** Completes entry i echoing each command's domain name as a setting value. */
    void commit(int i) {
      LogEntryResult.Builder r = LogEntryResult.newBuilder();
      for (Command c : entries.get(i).getCommandsList()) {
        r.addResults(CommandResult.newBuilder().setSetting(Setting.newBuilder().setValue(c.getCreateDomain().getName())));
      }
      pending.get(i).complete(r.build());
    }
  }

  private static Command command(String name) {
    return Command.newBuilder().setCreateDomain(DomainRef.newBuilder().setName(name)).build();
  }

  private static void awaitEntries(FakeLog log, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (log.entries.size() < n) {
      assertTrue(System.nanoTime() < deadline, "expected " + n + " entries, got " + log.entries.size());
      Thread.sleep(5);
    }
  }

  @Test
  void commandsQueuedWhileEntriesAreInFlightLeaveTogetherInOneEntry() throws Exception {
    FakeLog log = new FakeLog();
    try (ProposalBatcher batcher = new ProposalBatcher(log::submit, 1000, 1, "test")) {
      CompletableFuture<CommandResult> first = batcher.propose(command("a"));
      awaitEntries(log, 1);
      List<CompletableFuture<CommandResult>> rest = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        rest.add(batcher.propose(command("n" + i)));
      }
      log.commit(0);
      assertEquals("a", first.get(10, TimeUnit.SECONDS).getSetting().getValue());
      awaitEntries(log, 2);
      assertEquals(50, log.entries.get(1).getCommandsCount(), "all waiting commands in one entry");
      log.commit(1);
      for (int i = 0; i < 50; i++) {
        assertEquals("n" + i, rest.get(i).get(10, TimeUnit.SECONDS).getSetting().getValue(), "result " + i);
      }
    }
  }

  @Test
  void entrySizeIsCapped() throws Exception {
    FakeLog log = new FakeLog();
    try (ProposalBatcher batcher = new ProposalBatcher(log::submit, 10, 1, "test")) {
      batcher.propose(command("first"));
      awaitEntries(log, 1);
      for (int i = 0; i < 25; i++) {
        batcher.propose(command("n" + i));
      }
      log.commit(0);
      awaitEntries(log, 2);
      log.commit(1);
      awaitEntries(log, 3);
      log.commit(2);
      awaitEntries(log, 4);
      assertEquals(10, log.entries.get(1).getCommandsCount());
      assertEquals(10, log.entries.get(2).getCommandsCount());
      assertEquals(5, log.entries.get(3).getCommandsCount());
    }
  }

  @Test
  void aFailedEntryFailsEachOfItsCommandsWithATypedError() throws Exception {
    FakeLog log = new FakeLog();
    try (ProposalBatcher batcher = new ProposalBatcher(log::submit, 10, 2, "test")) {
      CompletableFuture<CommandResult> f = batcher.propose(command("x"));
      awaitEntries(log, 1);
      log.pending.get(0).completeExceptionally(new MogulException(ErrorReason.NOT_LEADER, "lost leadership"));
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertEquals(ErrorReason.NOT_LEADER, MogulException.from(e.getCause()).reason());
    }
  }
}
