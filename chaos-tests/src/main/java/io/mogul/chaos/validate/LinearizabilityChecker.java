package io.mogul.chaos.validate;

import io.mogul.chaos.history.Op;
import io.mogul.chaos.model.RegisterModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether one key's history is linearizable against {@link RegisterModel}, with
 * the Wing-Gong search and Lowe's memoization of (linearized set, state) pairs.
 *
 * <p>Operations whose outcome is unknown may take effect at any point after their
 * invocation, or never; definitely failed operations and failed reads are left out.
 */
public final class LinearizabilityChecker {
  /** Searches longer than this many steps give up with {@link Verdict#UNKNOWN}. */
  private final long stepBudget;

  public LinearizabilityChecker(long stepBudget) {
    this.stepBudget = stepBudget;
  }

  /** The result for one key. */
  public enum Verdict { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

  /** The verdict with, when not linearizable, the operations of the longest prefix found. */
  public record Result(Verdict verdict, int longestLinearizedPrefix, String explanation) {}

  private static final class Entry {
    final Op op;
    final boolean isCall;
    Entry match;
    Entry prev;
    Entry next;

    Entry(Op op, boolean isCall) {
      this.op = op;
      this.isCall = isCall;
    }
  }

  public Result check(List<Op> keyHistory) {
    List<Op> ops = new ArrayList<>();
    for (Op op : keyHistory) {
      boolean readWithoutAnswer = op.kind() == Op.Kind.GET && op.outcome() == Op.Outcome.UNKNOWN;
      if (op.mayHaveTakenEffect() && !readWithoutAnswer) {
        ops.add(op);
      }
    }
    if (ops.isEmpty()) {
      return new Result(Verdict.LINEARIZABLE, 0, "no operations");
    }
    // Dense local ids for the bitset.
    int n = ops.size();
    List<long[]> events = new ArrayList<>(2 * n);
    Entry[] calls = new Entry[n];
    List<Entry> order = new ArrayList<>(2 * n);
    for (int i = 0; i < n; i++) {
      Op op = ops.get(i);
      Entry call = new Entry(op, true);
      Entry ret = new Entry(op, false);
      call.match = ret;
      ret.match = call;
      calls[i] = call;
      events.add(new long[] {op.invokeNanos(), 0, i});
      // An unknown outcome never returns: its return sorts after everything.
      long completed = op.outcome() == Op.Outcome.UNKNOWN ? Long.MAX_VALUE : op.completeNanos();
      events.add(new long[] {completed, 1, i});
    }
    events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    for (long[] e : events) {
      Entry c = calls[(int) e[2]];
      order.add(e[1] == 0 ? c : c.match);
    }
    Entry head = new Entry(null, false);
    Entry prev = head;
    for (Entry e : order) {
      prev.next = e;
      e.prev = prev;
      prev = e;
    }
    IdentityHashMap<Op, Integer> ids = new IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      ids.put(ops.get(i), i);
    }

    record Frame(Entry entry, RegisterModel.State state) {}
    record Seen(BitSet linearized, RegisterModel.State state) {}
    Deque<Frame> stack = new ArrayDeque<>();
    Set<Seen> cache = new HashSet<>();
    BitSet linearized = new BitSet(n);
    RegisterModel.State state = new RegisterModel.State(RegisterModel.ABSENT);
    Entry entry = head.next;
    int best = 0;
    long steps = 0;
    while (head.next != null) {
      if (++steps > stepBudget) {
        return new Result(Verdict.UNKNOWN, best, "search gave up after " + stepBudget + " steps");
      }
      if (entry == null) {
        // Only unknown-outcome calls are left and none could be placed: impossible, since
        // their returns are in the list; kept as a guard against a malformed history.
        return new Result(Verdict.NOT_LINEARIZABLE, best, "ran off the end of the history");
      }
      if (entry.isCall) {
        Optional<RegisterModel.State> next = RegisterModel.step(state, entry.op);
        if (next.isPresent()) {
          BitSet after = (BitSet) linearized.clone();
          after.set(ids.get(entry.op));
          if (cache.add(new Seen(after, next.get()))) {
            stack.push(new Frame(entry, state));
            state = next.get();
            linearized = after;
            lift(entry);
            best = Math.max(best, linearized.cardinality());
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        if (stack.isEmpty()) {
          return new Result(Verdict.NOT_LINEARIZABLE, best, explain(entry.op));
        }
        Frame top = stack.pop();
        state = top.state();
        linearized = (BitSet) linearized.clone();
        linearized.clear(ids.get(top.entry().op));
        unlift(top.entry());
        entry = top.entry().next;
      }
    }
    return new Result(Verdict.LINEARIZABLE, n, "ok");
  }

  private static String explain(Op op) {
    return "no order of the operations explains " + op.kind() + " #" + op.id() + " (outcome " + op.outcome()
        + (op.value() == null ? "" : ", value " + op.value()) + ")";
  }

  private static void lift(Entry call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Entry ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void unlift(Entry call) {
    Entry ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }
}
