package io.mogul.client;

import io.mogul.common.grpc.ChannelPool;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Channel;
import io.grpc.Status;
import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.proto.AdminGrpc;
import io.mogul.proto.AttributeMode;
import io.mogul.proto.BlobRef;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FidSummary;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FileKey;
import io.mogul.common.batch.Coalescer;
import io.mogul.proto.GetPathsBatchRequest;
import io.mogul.proto.GetPathsRequest;
import io.mogul.proto.GetPathsResponse;
import io.mogul.proto.GetPathsResult;
import io.mogul.proto.KeySummary;
import io.mogul.proto.ListFidsRequest;
import io.mogul.proto.ListFidsResponse;
import io.mogul.proto.ListKeysRequest;
import io.mogul.proto.ListKeysResponse;
import io.mogul.proto.ReadOptions;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.SetAttributesRequest;
import io.mogul.proto.TrackerGrpc;
import io.mogul.proto.UpdateFileClassRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Mogul client: stores, reads, lists and deletes files by domain and key. Thread-safe;
 * one instance is meant to be shared by a whole application. Close it to release its
 * channels and threads.
 *
 * <p>Every call fails with a {@link MogulException} whose {@link ErrorReason} says why.
 * Retriable failures (a tracker that is not the leader or is down, a datanode lost during
 * a write) are retried within the operation timeout; what surfaces is final.
 */
public final class MogulClient implements AutoCloseable {
  private final ChannelPool channels = new ChannelPool();
  private final TrackerCaller tracker;
  private final UploadCommitter committer;
  private final PutOperation puts;
  private final ExecutorService ioExecutor;
  private final ScheduledExecutorService scheduler;
  private final long callTimeoutNanos;
  private final long operationTimeoutNanos;
  private final int smallBlobBytes;
  private final int listPageSize;
  private final BatchedCall<GetPathsRequest, GetPathsResponse> pathLookups;   // null: one call per lookup
  private final SmallReads smallReads = new SmallReads(channels);
  private final CopyWriter copies;
  private final boolean staleReads;
  private final ReadOptions readOptions;
  private final InFlight inFlight = new InFlight();

  private MogulClient(Builder b) {
    this.ioExecutor = Executors.newFixedThreadPool(b.ioThreads, daemon("mogul-client-io"));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("mogul-client-retry"));
    this.callTimeoutNanos = b.callTimeout.toNanos();
    this.operationTimeoutNanos = b.operationTimeout.toNanos();
    this.smallBlobBytes = b.smallBlobBytes;
    this.listPageSize = b.listPageSize;
    this.staleReads = b.staleReads;
    this.readOptions = ReadOptions.newBuilder().setStaleOk(b.staleReads).build();
    this.tracker = new TrackerCaller(b.trackers, channels, b.retryPolicy, scheduler);
    this.committer = b.batching
        ? new BatchingCommitter(tracker, callTimeoutNanos, b.maxBatch)
        : new DirectCommitter(tracker, callTimeoutNanos);
    this.pathLookups = b.batching ? batchedPathLookups(b.maxBatch) : null;
    this.copies = new CopyWriter(channels, b.chunkBytes);
    this.puts = new PutOperation(committer, copies, ioExecutor,
        scheduler, b.retryPolicy, b.smallBlobBytes);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Tracker addresses this client talks to. */
  public List<String> trackers() {
    return tracker.trackers();
  }

  // ---------------------------------------------------------------- put

  public FileInfo put(String domain, String key, byte[] data) {
    return put(domain, key, data, PutOptions.DEFAULT);
  }

  public FileInfo put(String domain, String key, byte[] data, PutOptions options) {
    return GrpcFutures.join(putAsync(domain, key, data, options));
  }

  public FileInfo put(String domain, String key, Path file, PutOptions options) {
    return GrpcFutures.join(putAsync(domain, key, file, options));
  }

  /**
   * Stores a stream of unknown length. A stream that ends within the small-blob size is
   * sent from memory; a longer one is first spooled to a temporary file, so every copy
   * (and any replacement copy after a datanode failure) can be written from the start
   * without holding the data in memory.
   */
  public FileInfo put(String domain, String key, InputStream in, PutOptions options) {
    checkName(domain, key);
    try {
      byte[] head = in.readNBytes(smallBlobBytes + 1);
      if (head.length <= smallBlobBytes) {
        return put(domain, key, head, options);
      }
      Path spool = Files.createTempFile("mogul-put-", ".spool");
      try {
        try (OutputStream out = Files.newOutputStream(spool)) {
          out.write(head);
          in.transferTo(out);
        }
        return put(domain, key, spool, options);
      } finally {
        Files.deleteIfExists(spool);
      }
    } catch (IOException e) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "cannot read the data to upload: " + e.getMessage(), e);
    }
  }

  /**
   * Stores {@code data} under the key. An array within the small-blob size is taken when
   * the call starts; a larger one is read by each copy while the put runs, so it must not
   * change until the returned future completes (copies found to differ fail the put).
   */
  public CompletableFuture<FileInfo> putAsync(String domain, String key, byte[] data, PutOptions options) {
    return inFlight.track(() -> startPut(domain, key, () -> new BlobSource.Bytes(data), options));
  }

  public CompletableFuture<FileInfo> putAsync(String domain, String key, Path file, PutOptions options) {
    return inFlight.track(() -> startPut(domain, key, () -> {
      try {
        return BlobSource.File.of(file);
      } catch (NoSuchFileException e) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "no such file: " + file);
      } catch (IOException e) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "cannot read " + file + ": " + e.getMessage(), e);
      }
    }, options));
  }

  private CompletableFuture<FileInfo> startPut(String domain, String key,
      Supplier<BlobSource> source, PutOptions options) {
    try {
      checkName(domain, key);
      return puts.put(domain, key, source.get(), options, deadline());
    } catch (MogulException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---------------------------------------------------------------- get

  /** Where a key's copies are, best first, with its length and checksum. */
  public GetPathsResponse paths(String domain, String key) {
    return GrpcFutures.join(pathsAsync(domain, key));
  }

  public CompletableFuture<GetPathsResponse> pathsAsync(String domain, String key) {
    return inFlight.track(() -> lookupPaths(domain, key));
  }

  private CompletableFuture<GetPathsResponse> lookupPaths(String domain, String key) {
    try {
      checkName(domain, key);
    } catch (MogulException e) {
      return CompletableFuture.failedFuture(e);
    }
    GetPathsRequest request = GetPathsRequest.newBuilder().setDomain(domain).setKey(key).setRead(readOptions).build();
    return pathLookups != null ? pathLookups.submit(request, deadline()) : singlePaths(request, deadline());
  }

  private CompletableFuture<GetPathsResponse> singlePaths(GetPathsRequest request, long deadlineNanos) {
    return lookup(ch -> trackerStub(ch).getPaths(request), deadlineNanos);
  }

  /** Runs a call that changes nothing: at the leader, or at any tracker when stale reads are allowed. */
  private <T> CompletableFuture<T> lookup(Function<Channel, ListenableFuture<T>> call, long deadlineNanos) {
    return staleReads ? tracker.callAnyTracker(call, deadlineNanos) : tracker.callReadOnly(call, deadlineNanos);
  }

  /** Lookups from concurrent reads, coalesced into GetPathsBatch calls (one read barrier each). */
  private BatchedCall<GetPathsRequest, GetPathsResponse> batchedPathLookups(int maxBatch) {
    return new BatchedCall<>(new Coalescer<>((items, deadlineNanos) -> lookup(ch -> trackerStub(ch)
        .getPathsBatch(GetPathsBatchRequest.newBuilder().addAllItems(items).setRead(readOptions).build()),
        deadlineNanos)
        .thenApply(response -> Coalescer.outcomes(response.getResultsList(), GetPathsResult::hasError,
            GetPathsResult::getError, GetPathsResult::getPaths)), maxBatch, 1), this::singlePaths, "path lookups");
  }

  /** A stream over the whole file, checked against its CRC32C when fully read. */
  public InputStream openStream(String domain, String key) {
    GetPathsResponse paths = paths(domain, key);
    return stream(paths, 0, paths.getLength());
  }

  /**
   * A stream over {@code length} bytes from {@code offset} ({@code length} -1: to the
   * end). Each datanode checks its bytes against the stored checksum; the client checks
   * the whole-file CRC32C only when the range is the whole file.
   */
  public InputStream openStream(String domain, String key, long offset, long length) {
    GetPathsResponse paths = paths(domain, key);
    long size = paths.getLength();
    long wanted = length < 0 ? size - Math.min(offset, size) : length;
    if (offset < 0 || length < -1 || offset > size || offset + wanted > size) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "range " + offset + "+" + length
          + " is outside the file's " + size + " bytes");
    }
    return stream(paths, offset, wanted);
  }

  /**
   * A stream over {@code length} bytes from {@code offset} of exactly the version that
   * {@code paths} describes (as returned by {@link #paths}), even if the key has been
   * overwritten since. Used by servers that send a version's headers before its body.
   */
  public InputStream openStream(GetPathsResponse paths, long offset, long length) {
    if (offset < 0 || length < 0 || offset + length > paths.getLength()) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "range " + offset + "+" + length
          + " is outside the file's " + paths.getLength() + " bytes");
    }
    return stream(paths, offset, length);
  }

  private InputStream stream(GetPathsResponse paths, long offset, long length) {
    return new BlobInputStream(channels, paths.getLocationsList(), paths.getFid(), paths.getLength(),
        paths.getCrc32C(), offset, length, deadline());
  }

  public byte[] get(String domain, String key) {
    return GrpcFutures.join(getAsync(domain, key));
  }

  public byte[] get(String domain, String key, long offset, long length) {
    try (InputStream in = openStream(domain, key, offset, length)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw readFailure(e);
    }
  }

  public CompletableFuture<byte[]> getAsync(String domain, String key) {
    return inFlight.track(() -> lookupPaths(domain, key).thenCompose(paths -> {
      if (paths.getLength() <= Math.min(smallBlobBytes, SmallReads.MAX_BYTES) && paths.getLocationsCount() > 0) {
        return readSmall(paths, 0, deadline());
      }
      return CompletableFuture.supplyAsync(() -> {
        if (paths.getLength() > Integer.MAX_VALUE - 16) {
          throw new MogulException(ErrorReason.INVALID_ARGUMENT,
              "file of " + paths.getLength() + " bytes does not fit in an array; stream it");
        }
        return readWhole(paths);
      }, ioExecutor);
    }));
  }

  /** A small file from its copies in order: the next copy on any error, timeout or mismatch. */
  private CompletableFuture<byte[]> readSmall(GetPathsResponse paths, int index, long deadlineNanos) {
    return smallReads.read(paths.getLocations(index), paths.getFid(), paths.getLength(), paths.getCrc32C(),
        deadlineNanos).exceptionallyCompose(e -> {
          if (index + 1 < paths.getLocationsCount() && System.nanoTime() < deadlineNanos) {
            return readSmall(paths, index + 1, deadlineNanos);
          }
          return CompletableFuture.failedFuture(GrpcFutures.unwrap(e));
        });
  }

  /** Reads a whole file into memory, from the next copy when one fails the end-to-end checksum. */
  private byte[] readWhole(GetPathsResponse paths) {
    return readVerified(paths, InputStream::readAllBytes);
  }

  /** Consumes a whole file's stream; called again from the start for each copy that is tried. */
  private interface WholeRead<T> {
    T read(InputStream in) throws IOException;
  }

  /**
   * Reads a whole file through {@code reader}. A copy whose bytes fail the end-to-end
   * checksum is only found out at the end, when the bytes are already handed on, so the
   * read starts over with the next copy first, once per copy. Any other failure ends it:
   * the stream has already tried every copy for those.
   */
  private <T> T readVerified(GetPathsResponse paths, WholeRead<T> reader) {
    List<io.mogul.proto.DeviceLocation> locations = new ArrayList<>(paths.getLocationsList());
    MogulException last = null;
    for (int i = 0; i < Math.max(1, locations.size()); i++) {
      try (InputStream in = new BlobInputStream(channels, locations, paths.getFid(), paths.getLength(),
          paths.getCrc32C(), 0, paths.getLength(), deadline())) {
        return reader.read(in);
      } catch (IOException e) {
        last = readFailure(e);
        if (last.reason() != ErrorReason.CHECKSUM_MISMATCH || locations.isEmpty()) {
          throw last;
        }
        locations.add(locations.remove(0));
      }
    }
    throw last;
  }

  /**
   * Copies the file to {@code target}, through a temporary file in the same directory
   * that replaces the target only once every byte was read and verified.
   *
   * @return bytes written
   */
  public long get(String domain, String key, Path target) {
    return get(domain, key, target, null);
  }

  /**
   * As {@link #get(String, String, Path)}, telling {@code progress} each block's size as it
   * is written. A copy that fails the checksum is read again from the next copy; before
   * that, {@code progress} is told the negative of what it was told for the failed copy,
   * so its sum never exceeds the file's length.
   */
  public long get(String domain, String key, Path target, java.util.function.LongConsumer progress) {
    GetPathsResponse paths = paths(domain, key);
    Path dir = target.toAbsolutePath().getParent();
    Path temp = null;
    try {
      temp = Files.createTempFile(dir, "." + target.getFileName() + "-", ".part");
      Path part = temp;
      readVerified(paths, in -> {
        long counted = 0;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.TRUNCATE_EXISTING)) {
          byte[] buffer = new byte[256 * 1024];
          int n;
          while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            if (progress != null) {
              progress.accept(n);
              counted += n;
            }
          }
        } catch (IOException e) {
          if (counted > 0) {
            progress.accept(-counted);
          }
          throw e;
        }
        return null;
      });
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      temp = null;
      return paths.getLength();
    } catch (IOException e) {
      throw readFailure(e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private static MogulException readFailure(IOException e) {
    if (e.getCause() instanceof MogulException m) {
      return new MogulException(m.reason(), m.getMessage(), e);
    }
    return new MogulException(ErrorReason.INTERNAL, "read failed: " + e.getMessage(), e);
  }

  // ---------------------------------------------------------------- metadata

  public FileInfo info(String domain, String key) {
    checkName(domain, key);
    FileKey request = FileKey.newBuilder().setDomain(domain).setKey(key).setRead(readOptions).build();
    return await(() -> lookup(ch -> trackerStub(ch).getFileInfo(request), deadline()));
  }

  /**
   * Has the datanode of each of the file's copies re-read it from disk and check it
   * against its checksum, as mogfiledebug does, all copies at once. A bad or unreachable
   * copy is reported in its {@link CopyCheck}, never thrown; the answer follows the order
   * of {@code file}'s locations.
   */
  public List<CopyCheck> verifyCopies(FileInfo file) {
    // Verifying reads the whole copy: one call's time plus a second per 4 MiB, so a large
    // file gets the time it needs and a hung datanode is given up on in bounded time.
    long deadlineNanos = callTimeoutNanos + TimeUnit.SECONDS.toNanos(file.getLength() / (4 << 20));
    List<CompletableFuture<CopyCheck>> checks = new ArrayList<>();
    for (DeviceLocation location : file.getLocationsList()) {
      BlobRef ref = BlobRef.newBuilder().setFid(file.getFid()).setDeviceId(location.getDeviceId()).build();
      CompletableFuture<CopyCheck> check;
      try {
        check = GrpcFutures.toCompletable(DataNodeGrpc.newFutureStub(channels.get(location.getAddress()))
                .withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS).verify(ref))
            .thenApply(answer -> CopyCheck.of(file, location, answer));
      } catch (RuntimeException e) {
        check = CompletableFuture.failedFuture(e);
      }
      checks.add(check.exceptionally(e -> new CopyCheck(location, CopyCheck.State.UNREACHABLE,
          Status.fromThrowable(e).getCode() == Status.Code.DEADLINE_EXCEEDED
              ? "no answer within " + TimeUnit.NANOSECONDS.toSeconds(deadlineNanos) + " s"
              : GrpcFutures.unwrap(e).getMessage())));
    }
    return checks.stream().map(CompletableFuture::join).toList();
  }

  public void delete(String domain, String key) {
    GrpcFutures.join(deleteAsync(domain, key));
  }

  public CompletableFuture<Void> deleteAsync(String domain, String key) {
    try {
      checkName(domain, key);
    } catch (MogulException e) {
      return CompletableFuture.failedFuture(e);
    }
    FileKey request = FileKey.newBuilder().setDomain(domain).setKey(key).setRequestId(newRequestId()).build();
    return inFlight.track(() -> tracker.call(ch -> trackerStub(ch).delete(request), deadline()))
        .thenApply(empty -> null);
  }

  public void rename(String domain, String fromKey, String toKey) {
    checkName(domain, fromKey);
    Names.checkKey(toKey);
    RenameRequest request = RenameRequest.newBuilder().setDomain(domain).setFromKey(fromKey).setToKey(toKey)
        .setRequestId(newRequestId()).build();
    await(() -> tracker.call(ch -> trackerStub(ch).rename(request), deadline()));
  }

  /**
   * Sets attributes and, when {@code contentType} is non-empty, the content type. In
   * {@link AttributeMode#ATTRIBUTE_MODE_MERGE} an empty value removes that attribute.
   */
  public FileInfo setAttributes(String domain, String key, Map<String, String> attributes,
      AttributeMode mode, String contentType) {
    checkName(domain, key);
    attributes.forEach((name, value) -> {
      if (!value.isEmpty() || mode != AttributeMode.ATTRIBUTE_MODE_MERGE) {
        Names.checkAttribute(name, value);
      }
    });
    SetAttributesRequest request = SetAttributesRequest.newBuilder().setDomain(domain).setKey(key)
        .putAllAttributes(attributes).setMode(mode).setContentType(contentType == null ? "" : contentType)
        .setRequestId(newRequestId()).build();
    return await(() -> tracker.call(ch -> trackerStub(ch).setAttributes(request), deadline()));
  }

  public FileInfo updateClass(String domain, String key, String storageClass) {
    checkName(domain, key);
    Names.checkClass(storageClass);
    UpdateFileClassRequest request = UpdateFileClassRequest.newBuilder().setDomain(domain).setKey(key)
        .setStorageClass(storageClass).setRequestId(newRequestId()).build();
    return await(() -> tracker.call(ch -> trackerStub(ch).updateFileClass(request), deadline()));
  }

  /** One page of keys after {@code after} (exclusive; empty to start at the prefix). */
  public ListKeysResponse listPage(String domain, String prefix, String after, int limit) {
    Names.checkDomain(domain);
    ListKeysRequest request = ListKeysRequest.newBuilder().setDomain(domain)
        .setPrefix(prefix == null ? "" : prefix).setAfter(after == null ? "" : after)
        .setLimit(limit).setRead(readOptions).build();
    return await(() -> lookup(ch -> trackerStub(ch).listKeys(request), deadline()));
  }

  /** Every key with the prefix, in key order, fetched a page at a time as the iterator advances. */
  public Iterator<KeySummary> list(String domain, String prefix) {
    Names.checkDomain(domain);
    return new Pages<String, KeySummary>("") {
      @Override
      Page<String, KeySummary> fetch(String after) {
        ListKeysResponse response = listPage(domain, prefix, after, listPageSize);
        String next = response.getNextAfter();
        return new Page<>(response.getKeysList(), next.isEmpty() ? null : next);
      }
    };
  }

  /**
   * One page of the files of every domain in fid order, after {@code afterFid} (exclusive,
   * unsigned; 0 to start at the lowest fid), like MogileFS's list_fids.
   */
  public ListFidsResponse listFidsPage(long afterFid, int limit) {
    ListFidsRequest request = ListFidsRequest.newBuilder().setAfterFid(afterFid).setLimit(limit)
        .setRead(readOptions).build();
    return await(() -> lookup(ch -> trackerStub(ch).listFids(request), deadline()));
  }

  /** Every file after {@code afterFid} in fid order, fetched a page at a time as the iterator advances. */
  public Iterator<FidSummary> fids(long afterFid) {
    return new Pages<Long, FidSummary>(afterFid) {
      @Override
      Page<Long, FidSummary> fetch(Long after) {
        ListFidsResponse response = listFidsPage(after, listPageSize);
        return new Page<>(response.getFidsList(), response.getNextAfter() == 0 ? null : response.getNextAfter());
      }
    };
  }

  // ---------------------------------------------------------------- admin

  /**
   * Runs one Admin rpc against the trackers with the same failover as file calls, e.g.
   * {@code client.admin(a -> a.listDomains(ListRequest.getDefaultInstance()))}.
   */
  public <T> T admin(Function<AdminGrpc.AdminFutureStub, ListenableFuture<T>> call) {
    return await(() -> tracker.call(ch -> call.apply(AdminGrpc.newFutureStub(ch)
        .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS)), deadline()));
  }

  /** Runs one Admin rpc against one specific tracker, without failover. */
  public <T> T adminAt(String address, Function<AdminGrpc.AdminFutureStub, ListenableFuture<T>> call) {
    return await(() -> GrpcFutures.toCompletable(call.apply(AdminGrpc.newFutureStub(channels.get(address))
        .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS))));
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * One id per logical call, sent with every retry of it: the trackers answer a retried
   * call whose first attempt committed with that attempt's answer instead of applying it
   * twice (a lost reply during a leader change would otherwise turn a successful rename or
   * delete into "unknown key").
   */
  private static String newRequestId() {
    return UUID.randomUUID().toString();
  }

  private TrackerGrpc.TrackerFutureStub trackerStub(Channel channel) {
    return TrackerGrpc.newFutureStub(channel).withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private long deadline() {
    return System.nanoTime() + operationTimeoutNanos;
  }

  private static void checkName(String domain, String key) {
    Names.checkDomain(domain);
    Names.checkKey(key);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Runs one operation to its end; {@link #close} ends it early. */
  private <T> T await(Supplier<CompletableFuture<T>> operation) {
    return GrpcFutures.join(inFlight.track(operation));
  }

  /**
   * Releases the client's channels and threads. Operations still under way, and any
   * started later, fail with {@code UNAVAILABLE}.
   */
  @Override
  public void close() {
    inFlight.close();
    smallReads.close();
    copies.close();
    committer.close();
    ioExecutor.shutdownNow();
    scheduler.shutdownNow();
    channels.close();
  }

  /** Settings of a {@link MogulClient}; only the tracker list is required. */
  public static final class Builder {
    private List<String> trackers = new ArrayList<>();
    private Duration callTimeout = Duration.ofSeconds(10);
    private Duration operationTimeout = Duration.ofMinutes(5);
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private int chunkBytes = 1024 * 1024;
    private int smallBlobBytes = 1024 * 1024;
    private int ioThreads = 64;
    private int listPageSize = 1000;
    private boolean batching = true;
    private int maxBatch = 256;
    private boolean staleReads;

    /** Tracker client addresses, host:port. */
    public Builder trackers(List<String> addresses) {
      this.trackers = new ArrayList<>(addresses);
      return this;
    }

    /** Comma-separated host:port list. */
    public Builder trackers(String commaSeparated) {
      return trackers(Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /** Deadline of one tracker rpc. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    /** Deadline of a whole operation, retries included (a 100 MiB put is one operation). */
    public Builder operationTimeout(Duration timeout) {
      this.operationTimeout = timeout;
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = policy;
      return this;
    }

    /** Size of the chunks large blobs are streamed in. */
    public Builder chunkBytes(int bytes) {
      this.chunkBytes = bytes;
      return this;
    }

    /** In-memory blobs up to this size are written with one WriteSmall call per copy. */
    public Builder smallBlobBytes(int bytes) {
      this.smallBlobBytes = bytes;
      return this;
    }

    /** Threads for streamed copies and blocking reads behind the async API. */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    public Builder listPageSize(int keys) {
      this.listPageSize = keys;
      return this;
    }

    /**
     * Coalesce concurrent CreateOpen / CreateClose / GetPaths calls into batch rpcs
     * (default on): under load one tracker round trip then serves many puts or reads.
     */
    public Builder batching(boolean enabled) {
      this.batching = enabled;
      return this;
    }

    /**
     * Let any tracker answer lookups (paths for a get, info, list) from its own replica,
     * without first confirming with the leader (default off: lookups are linearizable).
     * A lookup may then miss writes of the last moments, or see a key a moment after it
     * was deleted (whose read then fails as a missing blob); in return lookups spread over
     * every tracker and keep being answered while the trackers have no leader.
     */
    public Builder staleReads(boolean allowed) {
      this.staleReads = allowed;
      return this;
    }

    public MogulClient build() {
      if (trackers.isEmpty()) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "no tracker addresses given");
      }
      if (chunkBytes < 1024 || chunkBytes > 4 * 1024 * 1024 || smallBlobBytes > 4 * 1024 * 1024) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "chunk and small-blob sizes must be 1 KiB..4 MiB");
      }
      return new MogulClient(this);
    }
  }
}
