package io.mogul.meta.store;

import com.google.protobuf.MessageLite;
import io.mogul.proto.meta.AppliedPosition;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * A batch of changes that reads its own writes. Commands of one log entry share a
 * transaction; each runs between {@link #mark()} and {@link #release()} or
 * {@link #rollback()} so a failing command leaves no trace.
 *
 * <p>Writes stay in memory until {@link #commit}, which writes each changed key once. The
 * records most commands of an entry update (their domain, class and devices, whose counts
 * move with every file) are thus written to RocksDB once per entry, not once per command.
 */
public final class StoreTxn implements KvReader, AutoCloseable {
  private static final Object ABSENT = new Object();

  private final MetaStore store;
  /**
   * Every record this transaction read or wrote, so a record crosses into RocksDB at most
   * once. Values are shared: callers must not modify a returned array.
   */
  private final Map<CachedKey, Object> cache = new HashMap<>();
  /** The writes, per table in RocksDB's key order (bytewise), for scans and for the commit. */
  private final Map<Table, NavigableMap<byte[], Object>> writes = new EnumMap<>(Table.class);
  /** How to undo each write made since the outermost open mark, newest last. */
  private final ArrayDeque<Undo> undo = new ArrayDeque<>();
  /** The undo log's size at each open mark, innermost last. */
  private final ArrayDeque<Integer> marks = new ArrayDeque<>();

  private record CachedKey(Table table, ByteBuffer key) {}

  /** A write's predecessors: the table's earlier write of the key and its cached value (null: none). */
  private record Undo(Table table, byte[] key, Object earlierWrite, Object earlierCached) {}

  StoreTxn(MetaStore store) {
    this.store = store;
  }

  private static CachedKey cached(Table table, byte[] key) {
    return new CachedKey(table, ByteBuffer.wrap(key));
  }

  @Override
  public byte[] get(Table table, byte[] key) {
    CachedKey k = cached(table, key.clone());
    Object hit = cache.get(k);
    if (hit == null) {
      byte[] read = store.get(table, key);
      hit = read == null ? ABSENT : read;
      cache.put(k, hit);
    }
    return hit == ABSENT ? null : (byte[]) hit;
  }

  /**
   * Visits the committed records merged with this transaction's writes, in key order. The
   * visitor must not write to this transaction; collect the keys and write after the scan.
   */
  @Override
  public void scan(Table table, byte[] prefix, byte[] start, Visitor visitor) {
    byte[] from = MetaStore.scanFrom(prefix, start);
    NavigableMap<byte[], Object> written = writes.get(table);
    if (written == null || written.isEmpty()) {
      store.scan(table, prefix, start, visitor);
      return;
    }
    Iterator<Map.Entry<byte[], Object>> own = written.tailMap(from, true).entrySet().iterator();
    Map.Entry<byte[], Object> mine = own.hasNext() ? own.next() : null;
    try (RocksIterator it = store.db().newIterator(store.handle(table), store.readOptions())) {
      MetaStore.seek(it, from);
      while (it.isValid() || mine != null) {
        byte[] stored = it.isValid() ? it.key() : null;
        int order = stored == null ? 1 : mine == null ? -1 : Arrays.compareUnsigned(stored, mine.getKey());
        byte[] key = order < 0 ? stored : mine.getKey();
        if (!Keys.startsWith(key, prefix)) {
          return;
        }
        Object value = order < 0 ? it.value() : mine.getValue();
        if (order >= 0) {
          mine = own.hasNext() ? own.next() : null;
        }
        if (order <= 0) {
          it.next();
        }
        if (value != ABSENT && !visitor.visit(key, (byte[]) value)) {
          return;
        }
      }
    }
  }

  public void put(Table table, byte[] key, byte[] value) {
    write(table, key, value);
  }

  public void put(Table table, byte[] key, MessageLite value) {
    write(table, key, value.toByteArray());
  }

  public void delete(Table table, byte[] key) {
    write(table, key, ABSENT);
  }

  private void write(Table table, byte[] key, Object value) {
    byte[] k = key.clone();
    Object earlierWrite = writes.computeIfAbsent(table, t -> new TreeMap<>(Arrays::compareUnsigned)).put(k, value);
    Object earlierCached = cache.put(cached(table, k), value);
    if (!marks.isEmpty()) {
      undo.addLast(new Undo(table, k, earlierWrite, earlierCached));
    }
  }

  /** Remembers the current state of the batch. */
  public void mark() {
    marks.addLast(undo.size());
  }

  /** Forgets the last mark, keeping the changes made since. */
  public void release() {
    marks.removeLast();
    if (marks.isEmpty()) {
      undo.clear();
    }
  }

  /** Undoes every change since the last mark. */
  public void rollback() {
    int size = marks.removeLast();
    while (undo.size() > size) {
      Undo u = undo.removeLast();
      NavigableMap<byte[], Object> written = writes.get(u.table());
      if (u.earlierWrite() == null) {
        written.remove(u.key());
      } else {
        written.put(u.key(), u.earlierWrite());
      }
      CachedKey k = cached(u.table(), u.key());
      if (u.earlierCached() == null) {
        cache.remove(k);
      } else {
        cache.put(k, u.earlierCached());
      }
    }
  }

  /** Writes the changes and the applied position in one atomic batch. */
  public void commit(AppliedPosition applied) {
    if (!marks.isEmpty()) {
      throw new IllegalStateException("commit with " + marks.size() + " open marks");
    }
    put(Table.META, Keys.APPLIED, applied);
    Set<Table> written = EnumSet.noneOf(Table.class);
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<Table, NavigableMap<byte[], Object>> table : writes.entrySet()) {
        if (!table.getValue().isEmpty()) {
          written.add(table.getKey());
        }
        var handle = store.handle(table.getKey());
        for (Map.Entry<byte[], Object> w : table.getValue().entrySet()) {
          if (w.getValue() == ABSENT) {
            batch.delete(handle, w.getKey());
          } else {
            batch.put(handle, w.getKey(), (byte[]) w.getValue());
          }
        }
      }
      store.db().write(store.writeOptions(), batch);
    } catch (RocksDBException e) {
      throw new StoreException("commit failed", e);
    }
    store.committed(applied, written);
  }

  @Override
  public void close() {
    // Nothing native is held until commit.
  }
}
