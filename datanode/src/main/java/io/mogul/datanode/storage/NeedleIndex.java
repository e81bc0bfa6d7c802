package io.mogul.datanode.storage;

import java.util.Arrays;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

/**
 * In-memory map fid -> (volume, offset, length, flags) of one device, kept in three
 * primitive arrays with linear probing so each blob costs about 20 bytes per slot
 * (no per-entry objects). Fid 0 is never allocated and marks an empty slot. Thread-safe:
 * writers take a write lock, readers read optimistically and retry under a read lock.
 */
public final class NeedleIndex {
  private static final double MAX_LOAD = 0.85;
  private static final int MIN_CAPACITY = 1024;
  private static final int OFFSET_BITS = 40;
  private static final int FLAG_BITS = 4;
  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

  private final StampedLock lock = new StampedLock();
  private long[] keys;
  private long[] values; // volumeId << 44 | flags << 40 | offset / 8
  private int[] lengths; // unsigned blob length, saturated at 2^32-1 (large blobs read it from their header)
  private int size;

  public NeedleIndex() {
    allocate(MIN_CAPACITY);
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    values = new long[capacity];
    lengths = new int[capacity];
  }

  private static int home(long fid, int capacity) {
    long h = fid * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    return (int) (((h >>> 32) * capacity) >>> 32);
  }

  public void put(NeedleLocation loc) {
    if (loc.fid() == 0) {
      throw new IllegalArgumentException("fid 0 is never stored");
    }
    if ((loc.offset() & 7) != 0 || (loc.offset() >>> 3) > OFFSET_MASK || loc.volumeId() >= (1 << 20)) {
      throw new IllegalArgumentException("location out of range: " + loc);
    }
    long value = ((long) loc.volumeId() << (OFFSET_BITS + FLAG_BITS))
        | ((long) (loc.flags() & 0xF) << OFFSET_BITS) | (loc.offset() >>> 3);
    int len = (int) Math.min(loc.length(), 0xFFFFFFFFL);
    long stamp = lock.writeLock();
    try {
      if (size + 1 > keys.length * MAX_LOAD) {
        resize((int) Math.min(Integer.MAX_VALUE - 8, keys.length * 3L / 2));
      }
      int i = home(loc.fid(), keys.length);
      while (keys[i] != 0 && keys[i] != loc.fid()) {
        i = i + 1 == keys.length ? 0 : i + 1;
      }
      if (keys[i] == 0) {
        size++;
      }
      keys[i] = loc.fid();
      values[i] = value;
      lengths[i] = len;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private void resize(int capacity) {
    long[] oldKeys = keys;
    long[] oldValues = values;
    int[] oldLengths = lengths;
    allocate(capacity);
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != 0) {
        int i = home(oldKeys[j], capacity);
        while (keys[i] != 0) {
          i = i + 1 == capacity ? 0 : i + 1;
        }
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
        lengths[i] = oldLengths[j];
      }
    }
  }

  /** @return the location, or null when the fid is not stored */
  public NeedleLocation get(long fid) {
    if (fid == 0) {
      return null;
    }
    long stamp = lock.tryOptimisticRead();
    NeedleLocation loc = find(fid);
    if (!lock.validate(stamp)) {
      stamp = lock.readLock();
      try {
        loc = find(fid);
      } finally {
        lock.unlockRead(stamp);
      }
    }
    return loc;
  }

  private NeedleLocation find(long fid) {
    long[] k = keys;
    long[] v = values;
    int[] l = lengths;
    int capacity = k.length;
    if (v.length != capacity || l.length != capacity) {
      return null; // torn optimistic view; the caller revalidates
    }
    int i = home(fid, capacity);
    for (int probes = 0; probes < capacity; probes++) {
      long key = k[i];
      if (key == 0) {
        return null;
      }
      if (key == fid) {
        long value = v[i];
        return new NeedleLocation(fid, (int) (value >>> (OFFSET_BITS + FLAG_BITS)),
            (value & OFFSET_MASK) << 3, Integer.toUnsignedLong(l[i]),
            (int) ((value >>> OFFSET_BITS) & 0xF));
      }
      i = i + 1 == capacity ? 0 : i + 1;
    }
    return null;
  }

  /** Removes the fid only if it still points at this volume and offset. */
  public boolean removeIf(long fid, int volumeId, long offset) {
    long stamp = lock.writeLock();
    try {
      NeedleLocation cur = find(fid);
      if (cur == null || cur.volumeId() != volumeId || cur.offset() != offset) {
        return false;
      }
      removeLocked(fid);
      return true;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  public boolean remove(long fid) {
    long stamp = lock.writeLock();
    try {
      return removeLocked(fid);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  private boolean removeLocked(long fid) {
    int capacity = keys.length;
    int i = home(fid, capacity);
    while (keys[i] != fid) {
      if (keys[i] == 0) {
        return false;
      }
      i = i + 1 == capacity ? 0 : i + 1;
    }
    // Backward-shift deletion keeps every probe chain unbroken without tombstone slots.
    int gap = i;
    int j = i;
    while (true) {
      j = j + 1 == capacity ? 0 : j + 1;
      if (keys[j] == 0) {
        break;
      }
      int h = home(keys[j], capacity);
      boolean movable = gap <= j ? (h <= gap || h > j) : (h <= gap && h > j);
      if (movable) {
        keys[gap] = keys[j];
        values[gap] = values[j];
        lengths[gap] = lengths[j];
        gap = j;
      }
    }
    keys[gap] = 0;
    values[gap] = 0;
    lengths[gap] = 0;
    size--;
    return true;
  }

  public int size() {
    long stamp = lock.readLock();
    try {
      return size;
    } finally {
      lock.unlockRead(stamp);
    }
  }

  /** Visits a snapshot of every entry (copied under the lock, visited outside it). */
  public void forEach(Consumer<NeedleLocation> visitor) {
    long[] k;
    long stamp = lock.readLock();
    try {
      k = Arrays.copyOf(keys, keys.length);
    } finally {
      lock.unlockRead(stamp);
    }
    for (long fid : k) {
      if (fid != 0) {
        NeedleLocation loc = get(fid);
        if (loc != null) {
          visitor.accept(loc);
        }
      }
    }
  }

  /** Up to {@code limit} stored fids greater than {@code after} (unsigned order), ascending. */
  public long[] fidsAfter(long after, int limit) {
    long[] best = new long[Math.max(0, limit)];
    int count = 0;
    long stamp = lock.readLock();
    try {
      // Keep the `limit` smallest candidates in a sorted array; pages are small.
      for (long fid : keys) {
        if (fid == 0 || Long.compareUnsigned(fid, after) <= 0) {
          continue;
        }
        if (count < best.length) {
          int p = count++;
          while (p > 0 && Long.compareUnsigned(best[p - 1], fid) > 0) {
            best[p] = best[p - 1];
            p--;
          }
          best[p] = fid;
        } else if (count > 0 && Long.compareUnsigned(fid, best[count - 1]) < 0) {
          int p = count - 1;
          while (p > 0 && Long.compareUnsigned(best[p - 1], fid) > 0) {
            best[p] = best[p - 1];
            p--;
          }
          best[p] = fid;
        }
      }
    } finally {
      lock.unlockRead(stamp);
    }
    return Arrays.copyOf(best, count);
  }

  /** Heap bytes held by the arrays (for reporting; the JVM adds small headers). */
  public long arrayBytes() {
    long stamp = lock.readLock();
    try {
      return (long) keys.length * 20;
    } finally {
      lock.unlockRead(stamp);
    }
  }
}
