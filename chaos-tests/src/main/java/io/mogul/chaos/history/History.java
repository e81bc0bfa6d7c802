package io.mogul.chaos.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The thread-safe record of every operation of a run: each call is logged at invocation
 * and completed once its answer arrives, so operations still in flight when the run
 * stops stay {@link Op.Outcome#UNKNOWN}.
 */
public final class History {
  private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());

  /** Records an invocation; complete it with {@link #complete}. */
  public Op invoke(int worker, Op.Kind kind, String key, String toKey, String value) {
    synchronized (ops) {
      // The id is the index in the list, so completing an operation is a plain set.
      Op op = new Op(ops.size(), worker, kind, key, toKey, value, System.nanoTime(), Long.MAX_VALUE,
          Op.Outcome.UNKNOWN, null);
      ops.add(op);
      return op;
    }
  }

  /** Records the answer of an invoked operation. */
  public Op complete(Op invoked, Op.Outcome outcome, String value, String error) {
    Op done = new Op(invoked.id(), invoked.worker(), invoked.kind(), invoked.key(), invoked.toKey(),
        value, invoked.invokeNanos(), outcome == Op.Outcome.UNKNOWN ? Long.MAX_VALUE : System.nanoTime(),
        outcome, error);
    ops.set(invoked.id(), done);
    return done;
  }

  /** A snapshot of all operations, ordered by id. */
  public List<Op> ops() {
    synchronized (ops) {
      return List.copyOf(ops);
    }
  }
}
