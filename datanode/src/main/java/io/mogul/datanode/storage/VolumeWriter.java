package io.mogul.datanode.storage;

import io.mogul.common.MogulException;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.NeedleHeader;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of one device, with group commit: it drains every queued append and
 * delete, writes them, fsyncs each touched data and index file once, and only then updates
 * the in-memory index and completes the callers' futures. If a write or fsync fails, the
 * touched files are truncated back to where the batch began and every operation of the
 * batch fails, so nothing half-written is ever acknowledged or served.
 */
public final class VolumeWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeWriter.class);
  /** Most operations in one batch; loading relies on it to bound the records it checks in full. */
  static final int MAX_BATCH_OPS = 512;
  /** A batch takes no further operation once its blob bytes reach this (so the last may pass it). */
  static final long MAX_BATCH_BYTES = 32L << 20;

  private sealed interface Op permits Append, Delete, Task {}

  private record Append(long fid, NeedleBody body, CompletableFuture<NeedleLocation> done) implements Op {}

  private record Delete(long fid, CompletableFuture<Boolean> done) implements Op {}

  private record Task(Callable<Object> work, CompletableFuture<Object> done) implements Op {}

  private final Device device;
  private final long volumeSizeBytes;
  private final long commitWaitNanos;
  private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  /** Completes callers' futures off the writer thread, so the next batch starts at once. */
  private final java.util.concurrent.ExecutorService completer;
  private final List<Runnable> outcomes = new ArrayList<>();
  private static final long MAX_STAGED_BYTES = 8L << 20;
  private static final int MAX_STAGED_BUFFERS = 512;
  /** In-memory blobs from this size on are staged from their own buffer instead of copied into the record's. */
  private static final long STAGE_IN_PLACE_BYTES = 64 * 1024;
  /** In-memory blobs from this size on are written past the page cache (0: never). */
  private final long directWriteBytes;
  private final DirectRecordWriter direct;
  private final List<ByteBuffer> staged = new ArrayList<>();
  private Volume stagedVolume;
  private long stagedStart;
  private long stagedBytes;
  private final java.util.concurrent.ExecutorService syncer;
  private volatile boolean closed;
  private volatile long busyNanos;
  private volatile long batches;
  private volatile long batchedOps;
  private volatile long syncNanos;

  VolumeWriter(Device device, long volumeSizeBytes, long commitWaitMicros, long directWriteBytes) {
    this.device = device;
    this.volumeSizeBytes = volumeSizeBytes;
    this.commitWaitNanos = TimeUnit.MICROSECONDS.toNanos(commitWaitMicros);
    this.directWriteBytes = directWriteBytes;
    this.direct = new DirectRecordWriter(device.dir());
    this.completer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "volume-completer-dev" + device.id());
      t.setDaemon(true);
      return t;
    });
    this.syncer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "volume-index-sync-dev" + device.id());
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::run, "volume-writer-dev" + device.id());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Write batches committed or failed so far. */
  public long batches() {
    return batches;
  }

  /** Appends and deletes written in those batches. */
  public long batchedOps() {
    return batchedOps;
  }

  /** Bytes of large records written past the page cache so far. */
  public long directBytes() {
    return direct.directBytes();
  }

  /** Nanoseconds spent in fsync so far. */
  public long syncNanos() {
    return syncNanos;
  }

  /** Nanoseconds spent writing and syncing so far (for the device's I/O load). */
  long busyNanos() {
    return busyNanos;
  }

  CompletableFuture<NeedleLocation> append(long fid, NeedleBody body) {
    CompletableFuture<NeedleLocation> f = new CompletableFuture<>();
    offer(new Append(fid, body, f), f);
    return f;
  }

  CompletableFuture<Boolean> delete(long fid) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    offer(new Delete(fid, f), f);
    return f;
  }

  /** Runs work on the writer thread, between batches. */
  @SuppressWarnings("unchecked")
  <T> CompletableFuture<T> run(Callable<T> work) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    offer(new Task((Callable<Object>) work, f), f);
    return (CompletableFuture<T>) f;
  }

  private void offer(Op op, CompletableFuture<?> f) {
    if (closed) {
      f.completeExceptionally(new MogulException(ErrorReason.DEVICE_UNAVAILABLE,
          "device " + device.id() + " is closed"));
      return;
    }
    queue.add(op);
  }

  private void run() {
    List<Op> batch = new ArrayList<>();
    int expected = 0;
    while (!closed || !queue.isEmpty()) {
      try {
        Op first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        if (first instanceof Task task) {
          runTask(task);
          continue;
        }
        awaitCompanions(expected);
        batch.add(first);
        long bytes = sizeOf(first);
        while (batch.size() < MAX_BATCH_OPS && bytes < MAX_BATCH_BYTES) {
          Op next = queue.peek();
          if (next == null || next instanceof Task) {
            break;
          }
          queue.poll();
          batch.add(next);
          bytes += sizeOf(next);
        }
        long start = System.nanoTime();
        writeBatch(batch);
        busyNanos += System.nanoTime() - start;
        batches++;
        batchedOps += batch.size();
        // Writers of this batch usually come straight back: expect them in the next one.
        expected = batch.size() + queue.size();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        LOG.error("volume writer of device {} failed a batch", device.id(), e);
        fail(batch, e);
      } finally {
        batch.clear();
        publishOutcomes();
      }
    }
    Op op;
    while ((op = queue.poll()) != null) {
      fail(List.of(op), new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "device " + device.id() + " closed"));
    }
    publishOutcomes();
  }

  private void publishOutcomes() {
    if (!outcomes.isEmpty()) {
      List<Runnable> done = List.copyOf(outcomes);
      outcomes.clear();
      completer.execute(() -> done.forEach(Runnable::run));
    }
  }

  /**
   * Commit delay: when fewer operations are queued than took part in the last round (the
   * rest are being acknowledged and will be resubmitted within microseconds), wait briefly
   * so they share this fsync instead of splitting the writers into two half-size groups.
   * A lone writer (expected 1) never waits.
   */
  private void awaitCompanions(int expected) {
    if (commitWaitNanos <= 0 || expected <= 1) {
      return;
    }
    long deadline = System.nanoTime() + commitWaitNanos;
    while (queue.size() + 1 < Math.min(expected, MAX_BATCH_OPS) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(20_000);
    }
  }

  private static long sizeOf(Op op) {
    return op instanceof Append a && !(a.body() instanceof NeedleBody.Large) ? a.body().length() : 64;
  }

  private void runTask(Task task) {
    try {
      task.done().complete(task.work().call());
    } catch (Exception e) {
      task.done().completeExceptionally(e);
    }
  }

  /** Result of one operation of a batch, applied to the index once the batch is durable. */
  private record Pending(Op op, NeedleLocation written, NeedleLocation removed, long garbage, Exception error) {}

  private void writeBatch(List<Op> batch) {
    Map<Volume, long[]> starts = new LinkedHashMap<>(); // volume -> {dat end, idx end} before the batch
    Map<Volume, ByteBuffer> indexEntries = new HashMap<>();
    Map<Long, NeedleLocation> overlay = new HashMap<>(); // index as of this point in the batch
    Map<Long, NeedleBody> batchBodies = new HashMap<>(); // blobs appended earlier in this batch
    List<Pending> pending = new ArrayList<>(batch.size());
    long free = device.usableBytes();
    try {
      for (Op op : batch) {
        if (op instanceof Append a) {
          NeedleLocation existing = overlay.containsKey(a.fid()) ? overlay.get(a.fid()) : device.index().get(a.fid());
          if (existing != null) {
            NeedleBody earlier = batchBodies.get(a.fid());
            pending.add(earlier == null ? sameContent(a, existing) : sameContent(a, existing, earlier));
            continue;
          }
          long size = NeedleFormat.recordSize(a.body() instanceof NeedleBody.Large ? NeedleFormat.FLAG_LARGE : 0,
              a.body().length());
          // A large blob's bytes are on the device already, checked against the reserve as
          // they were received and again when committed (Store#commit); only its pointer is new.
          if (!(a.body() instanceof NeedleBody.Large) && free - size < device.reserveBytes()) {
            pending.add(new Pending(op, null, null, 0, new MogulException(ErrorReason.DEVICE_FULL,
                "device " + device.id() + " has less than its reserve of " + device.reserveBytes() + " bytes free")));
            continue;
          }
          free -= size;
          Volume v = activeVolume(size, starts, indexEntries);
          NeedleLocation loc = appendRecord(v, a.fid(), a.body(), starts, indexEntries);
          overlay.put(a.fid(), loc);
          batchBodies.put(a.fid(), a.body());
          pending.add(new Pending(op, loc, null, 0, null));
        } else if (op instanceof Delete d) {
          NeedleLocation existing = overlay.containsKey(d.fid()) ? overlay.get(d.fid()) : device.index().get(d.fid());
          if (existing == null) {
            pending.add(new Pending(op, null, null, 0, null));
            continue;
          }
          Volume v = device.volume(existing.volumeId());
          NeedleLocation tomb = appendTombstone(v, d.fid(), starts, indexEntries);
          overlay.put(d.fid(), null);
          long garbage = NeedleFormat.recordSize(existing.flags(), existing.length())
              + NeedleFormat.recordSize(NeedleFormat.FLAG_TOMBSTONE, 0);
          pending.add(new Pending(op, tomb, existing, garbage, null));
        }
      }
      flushStaged();
      for (Map.Entry<Volume, ByteBuffer> e : indexEntries.entrySet()) {
        Volume v = e.getKey();
        ByteBuffer b = e.getValue().flip();
        long pos = v.indexEnd();
        while (b.hasRemaining()) {
          pos += v.indexChannel().write(b, pos);
        }
        v.setIndexEnd(pos);
      }
      long syncStart = System.nanoTime();
      // Index and data files are synced in parallel: the two journal commits overlap.
      java.util.concurrent.Future<?> indexSync = syncer.submit(() -> {
        for (Volume v : starts.keySet()) {
          v.indexChannel().force(false);
        }
        return null;
      });
      for (Volume v : starts.keySet()) {
        v.dataChannel().force(false);
      }
      awaitIndexSync(indexSync);
      syncNanos += System.nanoTime() - syncStart;
    } catch (IOException | RuntimeException e) {
      staged.clear();
      stagedBytes = 0;
      stagedVolume = null;
      rollBack(starts);
      device.noteError("write batch failed", e);
      MogulException failure = e instanceof MogulException m ? m
          : new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "device " + device.id() + " write failed: " + e, e);
      for (Op op : batch) {
        complete(op, null, failure);
      }
      return;
    }
    for (Volume v : starts.keySet()) {
      v.commit();
    }
    device.noteSuccess();
    for (Pending p : pending) {
      if (p.error() != null) {
        complete(p.op(), null, p.error());
      } else if (p.op() instanceof Append a) {
        device.index().put(p.written());
        complete(p.op(), p.written(), null);
      } else if (p.op() instanceof Delete d) {
        if (p.removed() != null) {
          device.index().remove(d.fid());
          device.volume(p.removed().volumeId()).addGarbage(p.garbage());
          device.afterDelete(p.removed());
        }
        complete(p.op(), p.removed() != null, null);
      }
    }
  }

  private static void awaitIndexSync(java.util.concurrent.Future<?> sync) throws IOException {
    try {
      sync.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while syncing the index", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException("index sync failed", e.getCause());
    }
  }

  /** A second write of a fid appended earlier in the same batch (not yet readable from disk). */
  private static Pending sameContent(Append a, NeedleLocation existing, NeedleBody earlier) {
    if (earlier.length() == a.body().length() && earlier.crc32c() == a.body().crc32c()) {
      return new Pending(a, existing, null, 0, null);
    }
    return new Pending(a, null, null, 0, new MogulException(ErrorReason.INVALID_ARGUMENT,
        "fid " + Long.toUnsignedString(a.fid()) + " is being written with different content"));
  }

  private Pending sameContent(Append a, NeedleLocation existing) {
    // Fids are immutable: a retried write of the same bytes succeeds without writing again.
    try {
      NeedleHeader h = device.reader().header(existing);
      if (h == null) {
        throw new MogulException(ErrorReason.INTERNAL, "stored record of the fid vanished");
      }
      if (h.length() == a.body().length() && h.crc32c() == a.body().crc32c()) {
        a.body().discard();
        return new Pending(a, existing, null, 0, null);
      }
      return new Pending(a, null, null, 0, new MogulException(ErrorReason.INVALID_ARGUMENT,
          "fid " + Long.toUnsignedString(a.fid()) + " is already stored on device " + device.id()
              + " with different content"));
    } catch (IOException | RuntimeException e) {
      return new Pending(a, null, null, 0, e instanceof MogulException m ? m
          : new MogulException(ErrorReason.INTERNAL, "cannot check existing fid: " + e, e));
    }
  }

  private Volume activeVolume(long recordSize, Map<Volume, long[]> starts, Map<Volume, ByteBuffer> idx)
      throws IOException {
    Volume v = device.activeVolume();
    if (v.end() > VolumeFormat.SUPERBLOCK_SIZE && v.end() + recordSize > volumeSizeBytes) {
      v = device.createVolume();
    }
    return v;
  }

  private void track(Volume v, Map<Volume, long[]> starts, Map<Volume, ByteBuffer> idx) {
    starts.computeIfAbsent(v, k -> new long[] {k.end(), k.indexEnd()});
    idx.computeIfAbsent(v, k -> ByteBuffer.allocate(VolumeFormat.INDEX_ENTRY_SIZE * 64));
  }

  private static ByteBuffer room(Map<Volume, ByteBuffer> idx, Volume v) {
    ByteBuffer b = idx.get(v);
    if (b.remaining() < VolumeFormat.INDEX_ENTRY_SIZE) {
      ByteBuffer bigger = ByteBuffer.allocate(b.capacity() * 2);
      b.flip();
      bigger.put(b);
      idx.put(v, bigger);
      b = bigger;
    }
    return b;
  }

  private NeedleLocation appendRecord(Volume v, long fid, NeedleBody body, Map<Volume, long[]> starts,
      Map<Volume, ByteBuffer> idx) throws IOException {
    track(v, starts, idx);
    int flags = body instanceof NeedleBody.Large ? NeedleFormat.FLAG_LARGE : 0;
    long length = body.length();
    long offset = v.end();
    long size = NeedleFormat.recordSize(flags, length);
    NeedleHeader header = new NeedleHeader(fid, flags, length, System.currentTimeMillis(), body.crc32c());
    FileChannel ch = v.dataChannel();
    int[] crcs = body.chunkCrcs();
    if (body instanceof NeedleBody.Spilled s) {
      flushStaged();
      writeAt(ch, ByteBuffer.wrap(NeedleFormat.encodeHeader(header)), offset);
      try (FileChannel src = FileChannel.open(s.file(), StandardOpenOption.READ)) {
        long done = 0;
        while (done < length) {
          long n = ch.transferFrom(src.position(s.dataOffset() + done), offset + NeedleFormat.HEADER_SIZE + done,
              length - done);
          if (n <= 0) {
            throw new IOException("spill file " + s.file() + " ended early");
          }
          done += n;
        }
      }
      writeAt(ch, tail(size, length, crcs), offset + NeedleFormat.HEADER_SIZE + length);
    } else if (body instanceof NeedleBody.InMemory m && directWriteBytes > 0 && length >= directWriteBytes) {
      flushStaged();
      direct.write(v.datPath(), ch, offset, ByteBuffer.wrap(NeedleFormat.encodeHeader(header)), m.data().duplicate(),
          tail(size, length, crcs));
    } else if (body instanceof NeedleBody.InMemory m && length >= STAGE_IN_PLACE_BYTES) {
      // A large blob is written from the buffer it arrived in, saving a copy and a large
      // allocation per record; the staged run stays contiguous.
      stage(v, offset, ByteBuffer.wrap(NeedleFormat.encodeHeader(header)));
      stage(v, offset + NeedleFormat.HEADER_SIZE, m.data().duplicate());
      stage(v, offset + NeedleFormat.HEADER_SIZE + length, tail(size, length, crcs));
    } else {
      ByteBuffer rec = ByteBuffer.allocate((int) size);
      NeedleFormat.encodeHeader(rec, header);
      if (body instanceof NeedleBody.InMemory m) {
        rec.put(m.data().duplicate());
        for (int c : crcs) {
          rec.putInt(c);
        }
      }
      rec.clear();
      stage(v, offset, rec);
    }
    v.setEnd(offset + size);
    VolumeFormat.putIndexEntry(room(idx, v), fid, offset, length, flags, body.crc32c());
    return new NeedleLocation(fid, v.id(), offset, length, flags);
  }

  private NeedleLocation appendTombstone(Volume v, long fid, Map<Volume, long[]> starts, Map<Volume, ByteBuffer> idx)
      throws IOException {
    track(v, starts, idx);
    long offset = v.end();
    ByteBuffer rec = ByteBuffer.allocate((int) NeedleFormat.recordSize(NeedleFormat.FLAG_TOMBSTONE, 0));
    NeedleFormat.encodeHeader(rec, new NeedleHeader(fid, NeedleFormat.FLAG_TOMBSTONE, 0, System.currentTimeMillis(), 0));
    rec.clear();
    stage(v, offset, rec);
    v.setEnd(offset + rec.capacity());
    VolumeFormat.putIndexEntry(room(idx, v), fid, offset, 0, NeedleFormat.FLAG_TOMBSTONE, 0);
    return new NeedleLocation(fid, v.id(), offset, 0, NeedleFormat.FLAG_TOMBSTONE);
  }

  /** The part of a record after its data: the chunk checksums, then zero padding. */
  private static ByteBuffer tail(long recordSize, long length, int[] crcs) {
    ByteBuffer tail = ByteBuffer.allocate((int) (recordSize - NeedleFormat.HEADER_SIZE - length));
    for (int c : crcs) {
      tail.putInt(c);
    }
    return tail.clear();
  }

  /** Queues a record for one gather write with its neighbours (fewer system calls per batch). */
  private void stage(Volume v, long offset, ByteBuffer rec) throws IOException {
    if (!staged.isEmpty() && (stagedVolume != v || stagedStart + stagedBytes != offset
        || stagedBytes >= MAX_STAGED_BYTES || staged.size() >= MAX_STAGED_BUFFERS)) {
      flushStaged();
    }
    if (staged.isEmpty()) {
      stagedVolume = v;
      stagedStart = offset;
    }
    staged.add(rec);
    stagedBytes += rec.remaining();
  }

  private void flushStaged() throws IOException {
    if (staged.isEmpty()) {
      return;
    }
    try {
      // Only this thread writes volumes, so the channel position is ours; readers use pread.
      FileChannel ch = stagedVolume.dataChannel();
      ByteBuffer[] buffers = staged.toArray(new ByteBuffer[0]);
      ch.position(stagedStart);
      long left = stagedBytes;
      while (left > 0) {
        left -= ch.write(buffers);
      }
    } finally {
      staged.clear();
      stagedBytes = 0;
      stagedVolume = null;
    }
  }

  static void writeAt(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  private void rollBack(Map<Volume, long[]> starts) {
    for (Map.Entry<Volume, long[]> e : starts.entrySet()) {
      Volume v = e.getKey();
      try {
        v.dataChannel().truncate(e.getValue()[0]);
        v.indexChannel().truncate(e.getValue()[1]);
        v.dataChannel().force(true);
        v.indexChannel().force(true);
        v.setEnd(e.getValue()[0]);
        v.setIndexEnd(e.getValue()[1]);
      } catch (IOException ex) {
        device.noteFatal("cannot truncate volume " + v.id() + " after a failed batch", ex);
      }
    }
  }

  private void complete(Op op, Object value, Exception error) {
    outcomes.add(() -> finish(op, value, error));
  }

  @SuppressWarnings("unchecked")
  private void finish(Op op, Object value, Exception error) {
    CompletableFuture<Object> f;
    if (op instanceof Append a) {
      f = (CompletableFuture<Object>) (CompletableFuture<?>) a.done();
    } else if (op instanceof Delete d) {
      f = (CompletableFuture<Object>) (CompletableFuture<?>) d.done();
    } else {
      f = ((Task) op).done();
    }
    if (op instanceof Append a) {
      if (error != null || !(a.body() instanceof NeedleBody.Large)) {
        // Spill files are copied into the volume; a failed large blob's file is an orphan.
        a.body().discard();
      }
      if (error != null && a.body() instanceof NeedleBody.Large large && large.placed()) {
        device.deleteLargeFile(a.fid());
      }
    }
    if (error != null) {
      f.completeExceptionally(error);
    } else {
      f.complete(value);
    }
  }

  private void fail(List<Op> ops, Exception e) {
    for (Op op : ops) {
      complete(op, null, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    queue.add(new Task(() -> null, new CompletableFuture<>())); // wakes the writer without interrupting its I/O
    try {
      thread.join(10_000);
      Op late;
      while ((late = queue.poll()) != null) { // offered while closing
        finish(late, null, new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "device " + device.id() + " closed"));
      }
      completer.shutdown();
      syncer.shutdown();
      completer.awaitTermination(10, TimeUnit.SECONDS);
      syncer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
