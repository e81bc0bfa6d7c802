package io.mogul.meta.store;

import io.mogul.proto.meta.AppliedPosition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Function;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The tracker's state in one RocksDB instance, one column family per {@link Table}. State
 * changes only through {@link StoreTxn#commit}, which writes the applied log position in
 * the same atomic batch as the data.
 */
public final class MetaStore implements KvReader, AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final BloomFilter filter;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final Map<Table, ColumnFamilyHandle> byTable = new EnumMap<>(Table.class);
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;
  /**
   * Per table, advances after every commit that wrote to it: a value derived from a table
   * is valid for one of its generations. Uploads and file writes leave the small admin
   * tables (domains, classes, hosts, devices) alone, so values derived from those outlive
   * many commits.
   */
  private final AtomicLongArray generations = new AtomicLongArray(Table.values().length);
  private final Map<String, Memo> memos = new ConcurrentHashMap<>();
  /**
   * The applied position as last committed. Every applied entry checks it, so it is kept
   * here rather than read and parsed from RocksDB each time; only commits change it.
   */
  private volatile AppliedPosition applied;

  private record Memo(long generation, Object value) {}

  private MetaStore(Path dir) throws RocksDBException {
    this.dir = dir;
    this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    // Most point reads of an apply step miss (a new key, a fid not yet used, nothing queued
    // for deletion): Bloom filters on the memtable and on every table file answer those
    // without searching the skip list or reading index and data blocks.
    this.filter = new BloomFilter(10);
    this.cfOptions = new ColumnFamilyOptions()
        .setMemtablePrefixBloomSizeRatio(0.1)
        .setMemtableWholeKeyFiltering(true)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(filter).setWholeKeyFiltering(true));
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (Table t : Table.values()) {
      descriptors.add(new ColumnFamilyDescriptor(t.columnFamilyName(), cfOptions));
    }
    this.handles = new ArrayList<>();
    this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    for (Table t : Table.values()) {
      byTable.put(t, handles.get(t.ordinal() + 1));
    }
    // The Raft log is the durable record; after a crash the entries past the applied
    // position are applied again, so the state's own WAL need not be synced per write.
    this.writeOptions = new WriteOptions().setSync(false);
    this.readOptions = new ReadOptions();
    this.applied = readAppliedPosition();
  }

  /** Opens (creating if needed) the store in {@code dir}. */
  public static MetaStore open(Path dir) throws IOException {
    Files.createDirectories(dir);
    try {
      return new MetaStore(dir);
    } catch (RocksDBException e) {
      throw new IOException("cannot open tracker state in " + dir + ": " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  ColumnFamilyHandle handle(Table table) {
    return byTable.get(table);
  }

  RocksDB db() {
    return db;
  }

  WriteOptions writeOptions() {
    return writeOptions;
  }

  ReadOptions readOptions() {
    return readOptions;
  }

  /** Starts a transaction that sees its own writes; nothing is stored until commit. */
  public StoreTxn begin() {
    return new StoreTxn(this);
  }

  @Override
  public byte[] get(Table table, byte[] key) {
    try {
      return db.get(handle(table), readOptions, key);
    } catch (RocksDBException e) {
      throw new StoreException("read of " + table.cfName() + " failed", e);
    }
  }

  @Override
  public void scan(Table table, byte[] prefix, byte[] start, Visitor visitor) {
    try (RocksIterator it = db.newIterator(handle(table), readOptions)) {
      scan(it, prefix, start, visitor);
    }
  }

  static void scan(RocksIterator it, byte[] prefix, byte[] start, Visitor visitor) {
    seek(it, scanFrom(prefix, start));
    while (it.isValid()) {
      byte[] key = it.key();
      if (!Keys.startsWith(key, prefix)) {
        return;
      }
      if (!visitor.visit(key, it.value())) {
        return;
      }
      it.next();
    }
  }

  /** The first key a scan of {@code prefix} from {@code start} may visit: the start key when given, else the prefix. */
  static byte[] scanFrom(byte[] prefix, byte[] start) {
    return start != null && start.length > 0 ? start : prefix;
  }

  /** Positions {@code it} at the first key at or after {@code from} (the first key when empty). */
  static void seek(RocksIterator it, byte[] from) {
    if (from.length == 0) {
      it.seekToFirst();
    } else {
      it.seek(from);
    }
  }

  /**
   * Called by a transaction once its batch, which moved the applied position to
   * {@code position} and wrote to {@code written}, is written.
   */
  void committed(AppliedPosition position, Set<Table> written) {
    applied = position;
    for (Table t : written) {
      generations.incrementAndGet(t.ordinal());
    }
  }

  /**
   * A value derived from {@code table} alone, computed again only after a commit wrote to
   * that table. The generation is read before computing, so a memo is never newer-tagged
   * than its data: a commit racing the computation just makes the next call compute again.
   * The value must be immutable; callers share it.
   */
  @SuppressWarnings("unchecked")
  public <T> T memo(String name, Table table, Function<MetaStore, T> compute) {
    long now = generations.get(table.ordinal());
    Memo m = memos.get(name);
    if (m != null && m.generation() == now) {
      return (T) m.value();
    }
    T value = compute.apply(this);
    memos.put(name, new Memo(now, value));
    return value;
  }

  /** The position of the last applied log entry (0/0 for an empty store). */
  public AppliedPosition appliedPosition() {
    return applied;
  }

  private AppliedPosition readAppliedPosition() {
    byte[] raw = get(Table.META, Keys.APPLIED);
    if (raw == null) {
      return AppliedPosition.getDefaultInstance();
    }
    try {
      return AppliedPosition.parseFrom(raw);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new StoreException("corrupt applied position", e);
    }
  }

  /** Flushes memtables so a checkpoint holds everything without replaying the WAL. */
  public void flush() {
    try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
      db.flush(options, handles);
    } catch (RocksDBException e) {
      throw new StoreException("flush failed", e);
    }
  }

  /** Writes a consistent copy of the store into {@code target}, which must not exist. */
  public void checkpoint(Path target) throws IOException {
    try (Checkpoint checkpoint = Checkpoint.create(db)) {
      checkpoint.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IOException("checkpoint to " + target + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    for (ColumnFamilyHandle h : handles) {
      h.close();
    }
    db.close();
    writeOptions.close();
    readOptions.close();
    dbOptions.close();
    cfOptions.close();
    filter.close();
  }
}
