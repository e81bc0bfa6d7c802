package io.mogul.chaos.traffic;

import io.mogul.chaos.history.History;
import io.mogul.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent traffic with every call recorded in a {@link History}. Two kinds of keys:
 * shared keys ({@code c/N}) that all workers put, get and delete concurrently — checked for
 * linearizability — and keys each worker owns ({@code wW/N}), on which it also overwrites
 * and renames, so the outcome of every rename is known exactly.
 */
public final class Workload {
  /** Workload shape. */
  public record Shape(int workers, int sharedKeys, int maxValueBytes, long maxOpsPerWorker) {}

  private final ClusterOps ops;
  private final History history;
  private final String domain;
  private final String prefix;
  private final long seed;
  private final Shape shape;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong completed = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();

  public Workload(ClusterOps ops, History history, String domain, String prefix, long seed, Shape shape) {
    this.ops = ops;
    this.history = history;
    this.domain = domain;
    this.prefix = prefix;
    this.seed = seed;
    this.shape = shape;
  }

  public void start() {
    for (int w = 0; w < shape.workers(); w++) {
      int worker = w;
      Thread t = new Thread(() -> run(worker), "chaos-worker-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Operations completed so far (any outcome). */
  public long completed() {
    return completed.get();
  }

  /** Asks the workers to stop and waits for their current calls to end. */
  public void stop(long waitMillis) throws InterruptedException {
    stop.set(true);
    long deadline = System.currentTimeMillis() + waitMillis;
    for (Thread t : threads) {
      t.join(Math.max(1, deadline - System.currentTimeMillis()));
    }
  }

  public String sharedKey(int i) {
    return prefix + "c/" + i;
  }

  private void run(int worker) {
    SplittableRandom random = new SplittableRandom(seed * 31 + worker);
    OwnedKeys owned = new OwnedKeys();
    for (long n = 0; n < shape.maxOpsPerWorker() && !stop.get(); n++) {
      if (random.nextInt(100) < 60) {
        sharedOp(worker, random);
      } else {
        ownedOp(worker, random, owned);
      }
      completed.incrementAndGet();
    }
  }

  /**
   * What one worker believes about its own keys. Only this worker touches them, so after
   * an acknowledged call the belief is exact; after an unknown outcome it is marked unsure.
   */
  private static final class OwnedKeys {
    final Map<String, String> digest = new HashMap<>();
    final Map<String, Boolean> sure = new HashMap<>();
    int next;

    String pick(SplittableRandom random) {
      List<String> keys = new ArrayList<>(digest.keySet());
      keys.sort(null);
      return keys.get(random.nextInt(keys.size()));
    }

    void set(String key, String value, boolean certain) {
      digest.put(key, value);
      sure.put(key, certain);
    }

    void forget(String key) {
      digest.remove(key);
      sure.remove(key);
    }
  }

  private String freshOwnedKey(int worker, OwnedKeys owned) {
    return prefix + "w" + worker + "/" + (owned.next++);
  }

  private void sharedOp(int worker, SplittableRandom random) {
    String key = sharedKey(random.nextInt(shape.sharedKeys()));
    int pick = random.nextInt(100);
    if (pick < 40) {
      put(worker, key, random);
    } else if (pick < 85) {
      get(worker, key);
    } else if (pick < 95) {
      delete(worker, key);
    } else {
      Op op = history.invoke(worker, Op.Kind.LIST, prefix + "c/", null, null);
      try {
        ops.list(domain, prefix + "c/", 100);
        history.complete(op, Op.Outcome.OK, null, null);
      } catch (RuntimeException e) {
        history.complete(op, Op.Outcome.FAILED, null, Outcomes.reason(e));
      }
    }
  }

  private void ownedOp(int worker, SplittableRandom random, OwnedKeys owned) {
    int pick = random.nextInt(100);
    if (owned.digest.isEmpty() || pick < 25) {
      String key = freshOwnedKey(worker, owned);
      Op done = put(worker, key, random);
      owned.set(key, done.value(), done.outcome() == Op.Outcome.OK);
      return;
    }
    String key = owned.pick(random);
    if (pick < 45) {
      Op done = put(worker, key, random);
      owned.set(key, done.value(), done.outcome() == Op.Outcome.OK);
    } else if (pick < 75) {
      get(worker, key);
    } else if (pick < 90 && owned.sure.get(key)) {
      rename(worker, key, freshOwnedKey(worker, owned), owned);
    } else {
      Op done = delete(worker, key);
      if (done.outcome() == Op.Outcome.OK || done.outcome() == Op.Outcome.NOT_FOUND) {
        owned.forget(key);
      } else {
        owned.sure.put(key, false);
      }
    }
  }

  private void rename(int worker, String from, String to, OwnedKeys owned) {
    String value = owned.digest.get(from);
    Op op = history.invoke(worker, Op.Kind.RENAME, from, to, value);
    try {
      ops.rename(domain, from, to);
      history.complete(op, Op.Outcome.OK, value, null);
      owned.forget(from);
      owned.set(to, value, true);
    } catch (RuntimeException e) {
      Op.Outcome outcome = Outcomes.notFound(e) ? Op.Outcome.NOT_FOUND : Outcomes.ofFailure(e);
      history.complete(op, outcome, value, Outcomes.reason(e));
      if (outcome == Op.Outcome.UNKNOWN) {
        // Either name may hold the value now; neither is renamed again.
        owned.sure.put(from, false);
        owned.set(to, value, false);
      }
    }
  }

  private Op put(int worker, String key, SplittableRandom random) {
    int size = Values.size(random, shape.maxValueBytes());
    // The op id is only known after invoke; content follows from it, so invoke first.
    Op op = history.invoke(worker, Op.Kind.PUT, key, null, null);
    byte[] data = Values.content(seed, op.id(), size);
    String digest = Values.digest(data);
    try {
      ops.put(domain, key, data);
      return history.complete(op, Op.Outcome.OK, digest, null);
    } catch (RuntimeException e) {
      return history.complete(op, Outcomes.ofFailure(e), digest, Outcomes.reason(e));
    }
  }

  private Op get(int worker, String key) {
    Op op = history.invoke(worker, Op.Kind.GET, key, null, null);
    try {
      byte[] data = ops.get(domain, key);
      return history.complete(op, Op.Outcome.OK, Values.digest(data), null);
    } catch (RuntimeException e) {
      if (Outcomes.notFound(e)) {
        return history.complete(op, Op.Outcome.NOT_FOUND, null, null);
      }
      return history.complete(op, Op.Outcome.UNKNOWN, null, Outcomes.reason(e));
    }
  }

  private Op delete(int worker, String key) {
    Op op = history.invoke(worker, Op.Kind.DELETE, key, null, null);
    try {
      ops.delete(domain, key);
      return history.complete(op, Op.Outcome.OK, null, null);
    } catch (RuntimeException e) {
      if (Outcomes.notFound(e)) {
        return history.complete(op, Op.Outcome.NOT_FOUND, null, null);
      }
      return history.complete(op, Outcomes.ofFailure(e), null, Outcomes.reason(e));
    }
  }

  /**
   * Reads keys after the faults healed, appending the reads to the history.
   *
   * @param only the keys to read, or null for every key the run touched
   * @return keys whose read ended without a definite answer
   */
  public Set<String> finalReads(Set<String> only) {
    TreeSet<String> keys = new TreeSet<>();
    if (only != null) {
      keys.addAll(only);
    } else {
      for (Op op : history.ops()) {
        if (op.kind() != Op.Kind.LIST) {
          keys.add(op.key());
        }
        if (op.toKey() != null) {
          keys.add(op.toKey());
        }
      }
    }
    Set<String> undecided = new TreeSet<>();
    for (String key : keys) {
      if (get(shape.workers(), key).outcome() == Op.Outcome.UNKNOWN) {
        undecided.add(key);
      }
    }
    return undecided;
  }
}
