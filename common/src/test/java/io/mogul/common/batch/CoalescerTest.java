package io.mogul.common.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class CoalescerTest {
  /** Records every batch sent and lets the test decide when each one answers. */
  private static final class ManualBatches implements Coalescer.BatchCall<Integer, String> {
    final List<List<Integer>> sent = new ArrayList<>();
    final List<CompletableFuture<List<Object>>> answers = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<List<Object>> send(List<Integer> requests, long deadlineNanos) {
      sent.add(List.copyOf(requests));
      CompletableFuture<List<Object>> f = new CompletableFuture<>();
      answers.add(f);
      return f;
    }

    void answerEcho(int batch) {
      List<Object> out = new ArrayList<>();
      for (int r : sent.get(batch)) {
        out.add("r" + r);
      }
      answers.get(batch).complete(out);
    }
  }

  @Test
  void callsArrivingWhileABatchIsOutGoTogetherInTheNextBatch() {
    ManualBatches batches = new ManualBatches();
    Coalescer<Integer, String> c = new Coalescer<>(batches, 100, 1);
    CompletableFuture<String> first = c.submit(1, Long.MAX_VALUE);
    List<CompletableFuture<String>> queued = new ArrayList<>();
    for (int i = 2; i <= 5; i++) {
      queued.add(c.submit(i, Long.MAX_VALUE));
    }
    assertEquals(List.of(List.of(1)), batches.sent, "an idle coalescer sends at once, alone");

    batches.answerEcho(0);
    assertEquals("r1", first.join());
    assertEquals(List.of(2, 3, 4, 5), batches.sent.get(1), "everything that queued leaves in one batch");
    batches.answerEcho(1);
    for (int i = 0; i < queued.size(); i++) {
      assertEquals("r" + (i + 2), queued.get(i).join());
    }
  }

  @Test
  void aBatchNeverHoldsMoreThanTheLimit() {
    ManualBatches batches = new ManualBatches();
    Coalescer<Integer, String> c = new Coalescer<>(batches, 2, 1);
    for (int i = 1; i <= 5; i++) {
      c.submit(i, Long.MAX_VALUE);
    }
    batches.answerEcho(0);
    batches.answerEcho(1);
    batches.answerEcho(2);
    assertEquals(List.of(List.of(1), List.of(2, 3), List.of(4, 5)), batches.sent);
  }

  @Test
  void anItemsOwnErrorFailsOnlyThatItem() {
    ManualBatches batches = new ManualBatches();
    Coalescer<Integer, String> c = new Coalescer<>(batches, 10, 1);
    c.submit(0, Long.MAX_VALUE);
    CompletableFuture<String> good = c.submit(1, Long.MAX_VALUE);
    CompletableFuture<String> bad = c.submit(2, Long.MAX_VALUE);
    batches.answerEcho(0);
    MogulException itemError = new MogulException(ErrorReason.KEY_EXISTS, "taken");
    batches.answers.get(1).complete(List.of("ok", itemError));
    assertEquals("ok", good.join());
    CompletionException e = assertThrows(CompletionException.class, bad::join);
    assertSame(itemError, e.getCause());
  }

  @Test
  void aFailedBatchFailsEveryItemWithTheTypedError() {
    ManualBatches batches = new ManualBatches();
    Coalescer<Integer, String> c = new Coalescer<>(batches, 10, 1);
    c.submit(0, Long.MAX_VALUE);
    CompletableFuture<String> a = c.submit(1, Long.MAX_VALUE);
    CompletableFuture<String> b = c.submit(2, Long.MAX_VALUE);
    batches.answerEcho(0);
    batches.answers.get(1).completeExceptionally(
        new CompletionException(new MogulException(ErrorReason.UNAVAILABLE, "tracker down")));
    for (CompletableFuture<String> f : List.of(a, b)) {
      CompletionException e = assertThrows(CompletionException.class, f::join);
      MogulException m = assertInstanceOf(MogulException.class, e.getCause());
      assertEquals(ErrorReason.UNAVAILABLE, m.reason());
    }
  }

  @Test
  void aBatchAnsweredWithTheWrongNumberOfResultsFailsItsItems() {
    ManualBatches batches = new ManualBatches();
    Coalescer<Integer, String> c = new Coalescer<>(batches, 10, 1);
    CompletableFuture<String> only = c.submit(1, Long.MAX_VALUE);
    batches.answers.get(0).complete(List.of());
    CompletionException e = assertThrows(CompletionException.class, only::join);
    assertEquals(ErrorReason.INTERNAL, assertInstanceOf(MogulException.class, e.getCause()).reason());
  }
}
