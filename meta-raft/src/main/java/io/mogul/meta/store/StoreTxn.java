package io.mogul.meta.store;

import com.google.protobuf.MessageLite;
import io.mogul.proto.meta.AppliedPosition;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * A batch of changes that reads its own writes. Commands of one log entry share a
 * transaction; each runs between {@link #mark()} and {@link #release()} or
 * {@link #rollback()} so a failing command leaves no trace.
 */
public final class StoreTxn implements KvReader, AutoCloseable {
  private final MetaStore store;
  private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
  private int savePoints;

  StoreTxn(MetaStore store) {
    this.store = store;
  }

  @Override
  public byte[] get(Table table, byte[] key) {
    try {
      return batch.getFromBatchAndDB(store.db(), store.handle(table), store.readOptions(), key);
    } catch (RocksDBException e) {
      throw new StoreException("read of " + table.cfName() + " failed", e);
    }
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
  }

  @Override
  public void close() {
    batch.close();
  }
}
