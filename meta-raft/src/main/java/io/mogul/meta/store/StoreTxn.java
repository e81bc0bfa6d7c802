package io.mogul.meta.store;

import com.google.protobuf.MessageLite;
import io.mogul.proto.meta.AppliedPosition;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * A batch of changes that reads its own writes. Commands of one log entry share a
 * transaction; each runs between {@link #mark()} and {@link #release()} or
 * {@link #rollback()} so a failing command leaves no trace.
 */
public final class StoreTxn implements KvReader, AutoCloseable {
  private static final Object ABSENT = new Object();

  private final MetaStore store;
  private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
  /**
   * Point reads and writes of this transaction, so that the records many commands of one
   * entry touch (their domain, class, devices, counters) cross into RocksDB once per entry,
   * not once per command. Values are shared: callers must not modify a returned array.
   */
  private final Map<CachedKey, Object> cache = new HashMap<>();
  private int savePoints;

  private record CachedKey(Table table, ByteBuffer key) {}

  StoreTxn(MetaStore store) {
    this.store = store;
  }

  private static CachedKey cached(Table table, byte[] key) {
    return new CachedKey(table, ByteBuffer.wrap(key.clone()));
  }

  @Override
  public byte[] get(Table table, byte[] key) {
    CachedKey k = cached(table, key);
    Object hit = cache.get(k);
    if (hit != null) {
      return hit == ABSENT ? null : (byte[]) hit;
    }
    byte[] value;
    try {
      value = batch.getFromBatchAndDB(store.db(), store.handle(table), store.readOptions(), key);
    } catch (RocksDBException e) {
      throw new StoreException("read of " + table.cfName() + " failed", e);
    }
    cache.put(k, value == null ? ABSENT : value);
    return value;
  }

  @Override
  public void scan(Table table, byte[] prefix, byte[] start, Visitor visitor) {
    try (RocksIterator base = store.db().newIterator(store.handle(table), store.readOptions());
         RocksIterator it = batch.newIteratorWithBase(store.handle(table), base)) {
      MetaStore.scan(it, prefix, start, visitor);
    }
  }

  public void put(Table table, byte[] key, byte[] value) {
    try {
      batch.put(store.handle(table), key, value);
      cache.put(cached(table, key), value);
    } catch (RocksDBException e) {
      throw new StoreException("write to " + table.cfName() + " failed", e);
    }
  }

  public void put(Table table, byte[] key, MessageLite value) {
    put(table, key, value.toByteArray());
  }

  public void delete(Table table, byte[] key) {
    try {
      batch.delete(store.handle(table), key);
      cache.put(cached(table, key), ABSENT);
    } catch (RocksDBException e) {
      throw new StoreException("delete in " + table.cfName() + " failed", e);
    }
  }

  /** Remembers the current state of the batch. */
  public void mark() {
    batch.setSavePoint();
    savePoints++;
  }

  /** Forgets the last mark, keeping the changes made since. */
  public void release() {
    try {
      batch.popSavePoint();
      savePoints--;
    } catch (RocksDBException e) {
      throw new StoreException("save point", e);
    }
  }

  /** Undoes every change since the last mark. */
  public void rollback() {
    try {
      batch.rollbackToSavePoint();
      savePoints--;
      // The cache may hold writes that were just undone: read them again from the batch.
      cache.clear();
    } catch (RocksDBException e) {
      throw new StoreException("rollback", e);
    }
  }

  /** Writes the batch and the applied position atomically. */
  public void commit(AppliedPosition applied) {
    if (savePoints != 0) {
      throw new IllegalStateException("commit with " + savePoints + " open marks");
    }
    put(Table.META, Keys.APPLIED, applied);
    try {
      store.db().write(store.writeOptions(), batch);
    } catch (RocksDBException e) {
      throw new StoreException("commit failed", e);
    }
    store.committed();
  }

  @Override
  public void close() {
    batch.close();
  }
}
