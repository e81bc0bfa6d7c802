package io.mogul.chaos.validate;

import io.mogul.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a finished run's history: every key's operations must be linearizable; no read
 * may return bytes nobody wrote; and the final reads taken after the faults healed must
 * show every acknowledged write and no acknowledged delete coming back.
 */
public final class HistoryValidator {
  private final LinearizabilityChecker checker;

  public HistoryValidator(long stepBudgetPerKey) {
    this.checker = new LinearizabilityChecker(stepBudgetPerKey);
  }

  /** One finding about one key. */
  public record Finding(String key, String kind, String detail) {}

  /** Everything the validator found. */
  public record Result(int keysChecked, int linearizableKeys, int undecidedKeys, List<Finding> nonLinearizable,
      List<Finding> lost, List<Finding> resurrected, List<Finding> corrupt) {

    public boolean passed() {
      return nonLinearizable.isEmpty() && lost.isEmpty() && resurrected.isEmpty() && corrupt.isEmpty();
    }
  }

  /**
   * @param history every operation of the run, the final reads included
   * @param firstFinalReadId ops with this id or above are the post-heal final reads
   */
  public Result validate(List<Op> history, int firstFinalReadId) {
    Map<String, List<Op>> byKey = perKey(history);
    List<Finding> nonLinearizable = new ArrayList<>();
    List<Finding> lost = new ArrayList<>();
    List<Finding> resurrected = new ArrayList<>();
    List<Finding> corrupt = new ArrayList<>();
    int linearizable = 0;
    int undecided = 0;
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      String key = e.getKey();
      List<Op> ops = e.getValue();
      Set<String> written = new HashSet<>();
      for (Op op : ops) {
        if (op.kind() == Op.Kind.PUT && op.value() != null) {
          written.add(op.value());
        }
      }
      for (Op op : ops) {
        if (op.kind() == Op.Kind.GET && op.outcome() == Op.Outcome.OK && !written.contains(op.value())) {
          corrupt.add(new Finding(key, "corrupt-read", "GET #" + op.id() + " returned " + op.value()
              + ", which no write of this key produced"));
        }
      }
      LinearizabilityChecker.Result r = checker.check(ops);
      switch (r.verdict()) {
        case LINEARIZABLE -> linearizable++;
        case UNKNOWN -> undecided++;
        case NOT_LINEARIZABLE -> nonLinearizable.add(new Finding(key, "not-linearizable", r.explanation()));
      }
      classifyFinalRead(key, ops, firstFinalReadId, lost, resurrected);
    }
    return new Result(byKey.size(), linearizable, undecided, nonLinearizable, lost, resurrected, corrupt);
  }

  /**
   * Splits the history by key. A rename is a delete of its source and a put of the same
   * value under its target, with the rename's timing and outcome; LIST calls carry no
   * per-key observation and are left out.
   */
  static Map<String, List<Op>> perKey(List<Op> history) {
    Map<String, List<Op>> byKey = new TreeMap<>();
    for (Op op : history) {
      switch (op.kind()) {
        case PUT, GET, DELETE -> byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        case RENAME -> {
          Op.Outcome outcome = op.outcome();
          byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(new Op(op.id(), op.worker(), Op.Kind.DELETE,
              op.key(), null, null, op.invokeNanos(), op.completeNanos(), outcome, op.error()));
          if (outcome == Op.Outcome.OK || outcome == Op.Outcome.UNKNOWN) {
            byKey.computeIfAbsent(op.toKey(), k -> new ArrayList<>()).add(new Op(op.id(), op.worker(), Op.Kind.PUT,
                op.toKey(), null, op.value(), op.invokeNanos(), op.completeNanos(), outcome, op.error()));
          }
        }
        case LIST -> { }
      }
    }
    return byKey;
  }

  /**
   * When the last acknowledged write of a key overlaps no other write that may have taken
   * effect, its result is the only correct answer of the final read: a missing value is
   * a lost write and a value after a delete is a resurrection.
   */
  private static void classifyFinalRead(String key, List<Op> ops, int firstFinalReadId, List<Finding> lost,
      List<Finding> resurrected) {
    Op finalRead = null;
    Op lastAcked = null;
    for (Op op : ops) {
      if (op.id() >= firstFinalReadId && op.kind() == Op.Kind.GET) {
        finalRead = op;
      } else if (op.id() < firstFinalReadId && op.kind() != Op.Kind.GET
          && (op.outcome() == Op.Outcome.OK || op.outcome() == Op.Outcome.NOT_FOUND)
          && (lastAcked == null || op.completeNanos() > lastAcked.completeNanos())) {
        lastAcked = op;
      }
    }
    if (finalRead == null || lastAcked == null
        || (finalRead.outcome() != Op.Outcome.OK && finalRead.outcome() != Op.Outcome.NOT_FOUND)) {
      return;
    }
    for (Op op : ops) {
      boolean write = op.kind() != Op.Kind.GET && op.id() < firstFinalReadId && op != lastAcked;
      boolean mayMatter = op.outcome() == Op.Outcome.UNKNOWN
          || (op.mayHaveTakenEffect() && op.completeNanos() > lastAcked.invokeNanos());
      if (write && mayMatter) {
        return; // another write may have landed last: only the linearizability check can judge
      }
    }
    String expected = lastAcked.kind() == Op.Kind.PUT ? lastAcked.value() : null;
    String seen = finalRead.outcome() == Op.Outcome.OK ? finalRead.value() : null;
    if (Objects.equals(expected, seen)) {
      return;
    }
    if (expected != null) {
      lost.add(new Finding(key, "lost", "acknowledged " + lastAcked.kind() + " #" + lastAcked.id() + " wrote "
          + expected + " but the final read found " + (seen == null ? "nothing" : seen)));
    } else {
      resurrected.add(new Finding(key, "resurrected", "acknowledged DELETE #" + lastAcked.id()
          + " but the final read found " + seen));
    }
  }
}
