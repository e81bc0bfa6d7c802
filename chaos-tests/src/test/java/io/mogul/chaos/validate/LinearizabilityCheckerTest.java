package io.mogul.chaos.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mogul.chaos.history.Op;
import io.mogul.chaos.history.Op.Kind;
import io.mogul.chaos.history.Op.Outcome;
import io.mogul.chaos.validate.LinearizabilityChecker.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
  private final LinearizabilityChecker checker = new LinearizabilityChecker(1_000_000);
  private final List<Op> ops = new ArrayList<>();

  private void op(Kind kind, String value, long invoke, long complete, Outcome outcome) {
    ops.add(new Op(ops.size(), 0, kind, "k", null, value, invoke,
        outcome == Outcome.UNKNOWN ? Long.MAX_VALUE : complete, outcome, null));
  }

  private Verdict verdict() {
    return checker.check(ops).verdict();
  }

  @Test
  void sequentialWriteThenReadIsLinearizable() {
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.GET, "v1", 20, 30, Outcome.OK);
    op(Kind.DELETE, null, 40, 50, Outcome.OK);
    op(Kind.GET, null, 60, 70, Outcome.NOT_FOUND);
    op(Kind.DELETE, null, 80, 90, Outcome.NOT_FOUND);
    assertEquals(Verdict.LINEARIZABLE, verdict());
  }

  @Test
  void anAcknowledgedWriteThatReadsBackAbsentIsALostWrite() {
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.GET, null, 20, 30, Outcome.NOT_FOUND);
    assertEquals(Verdict.NOT_LINEARIZABLE, verdict());
  }

  @Test
  void aReadConcurrentWithAWriteMaySeeEitherValue() {
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.PUT, "v2", 20, 60, Outcome.OK);
    op(Kind.GET, "v1", 30, 40, Outcome.OK);
    op(Kind.GET, "v2", 45, 50, Outcome.OK);
    assertEquals(Verdict.LINEARIZABLE, verdict());
  }

  @Test
  void readingAnOlderValueAfterANewerOneIsNotLinearizable() {
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.PUT, "v2", 20, 60, Outcome.OK);
    op(Kind.GET, "v2", 30, 40, Outcome.OK);
    op(Kind.GET, "v1", 45, 50, Outcome.OK);
    assertEquals(Verdict.NOT_LINEARIZABLE, verdict());
  }

  @Test
  void anAcknowledgedDeleteThatComesBackIsNotLinearizable() {
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.DELETE, null, 20, 30, Outcome.OK);
    op(Kind.GET, "v1", 40, 50, Outcome.OK);
    assertEquals(Verdict.NOT_LINEARIZABLE, verdict());
  }

  @Test
  void aTimedOutWriteMayTakeEffectLaterOrNever() {
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.PUT, "v2", 20, 0, Outcome.UNKNOWN);
    op(Kind.GET, "v1", 30, 40, Outcome.OK);
    op(Kind.GET, "v2", 50, 60, Outcome.OK);
    assertEquals(Verdict.LINEARIZABLE, verdict());
    ops.clear();
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.PUT, "v2", 20, 0, Outcome.UNKNOWN);
    op(Kind.GET, "v1", 50, 60, Outcome.OK);
    assertEquals(Verdict.LINEARIZABLE, verdict());
  }

  @Test
  void aTimedOutWriteCannotTakeEffectBeforeItWasInvoked() {
    op(Kind.GET, "v2", 0, 10, Outcome.OK);
    op(Kind.PUT, "v2", 20, 0, Outcome.UNKNOWN);
    assertEquals(Verdict.NOT_LINEARIZABLE, verdict());
  }

  @Test
  void definitelyFailedWritesNeverTakeEffect() {
    op(Kind.PUT, "v1", 0, 10, Outcome.FAILED);
    op(Kind.GET, "v1", 20, 30, Outcome.OK);
    assertEquals(Verdict.NOT_LINEARIZABLE, verdict());
  }

  @Test
  void aValueNobodyWroteIsNotLinearizable() {
    op(Kind.PUT, "v1", 0, 10, Outcome.OK);
    op(Kind.GET, "garbage", 20, 30, Outcome.OK);
    assertEquals(Verdict.NOT_LINEARIZABLE, verdict());
  }

  /**
   * Generates histories from a real sequential register with random overlapping windows
   * around each linearization point: always linearizable. Then corrupts one read so it
   * returns a value never written: never linearizable.
   */
  @Test
  void randomConcurrentHistoriesFromARealRegisterPassAndCorruptedOnesFail() {
    long seed = 42L;
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      ops.clear();
      String state = null;
      long t = 0;
      int writes = 0;
      for (int i = 0; i < 30; i++) {
        t += 10;
        long invoke = t - random.nextInt(25);
        long complete = t + random.nextInt(25);
        int pick = random.nextInt(10);
        if (pick < 4) {
          state = "w" + (writes++);
          op(Kind.PUT, state, invoke, complete, random.nextInt(10) == 0 ? Outcome.UNKNOWN : Outcome.OK);
          if (ops.get(ops.size() - 1).outcome() == Outcome.UNKNOWN) {
            // Keep the generator honest: an unknown write that was in fact applied.
            ops.set(ops.size() - 1, new Op(ops.size() - 1, 0, Kind.PUT, "k", null, state, invoke, Long.MAX_VALUE,
                Outcome.UNKNOWN, null));
          }
        } else if (pick < 8) {
          op(Kind.GET, state, invoke, complete, state == null ? Outcome.NOT_FOUND : Outcome.OK);
        } else {
          op(Kind.DELETE, null, invoke, complete, state == null ? Outcome.NOT_FOUND : Outcome.OK);
          state = null;
        }
      }
      assertEquals(Verdict.LINEARIZABLE, verdict(), "seed " + seed + " round " + round);
      int victim = -1;
      for (int i = ops.size() - 1; i >= 0; i--) {
        if (ops.get(i).kind() == Kind.GET) {
          victim = i;
          break;
        }
      }
      if (victim >= 0) {
        Op v = ops.get(victim);
        ops.set(victim, new Op(v.id(), 0, Kind.GET, "k", null, "never-written", v.invokeNanos(), v.completeNanos(),
            Outcome.OK, null));
        assertEquals(Verdict.NOT_LINEARIZABLE, verdict(), "seed " + seed + " round " + round);
      }
    }
  }
}
