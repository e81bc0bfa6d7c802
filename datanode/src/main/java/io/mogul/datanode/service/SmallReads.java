package io.mogul.datanode.service;

import com.google.protobuf.UnsafeByteOperations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mogul.common.MogulException;
import io.mogul.datanode.storage.NeedleReader;
import io.mogul.datanode.storage.Store;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The read path of one {@code ReadSmallStream} item: the store's open, which is the one
 * {@code Read} takes ({@link Store#open}: a blob of at most one checksum chunk is one
 * positional read of header and data, checked against its CRC32C before any byte is
 * returned), the range rules of {@code Read} ({@link BlobRange}), and a size limit: blobs
 * above {@link #MAX_BLOB_BYTES} are refused (only their header is read) since they would be
 * read in several verified chunks, which is {@code Read}'s job. Never throws: every failure
 * becomes the item's error reply. Records every item in
 * {@code mogul.datanode.small.reads{outcome}} (outcome OK or the error reason).
 */
final class SmallReads {
  /** Largest blob served per item: one checksum chunk, read and verified with one positional read. */
  static final long MAX_BLOB_BYTES = NeedleFormat.CHECKSUM_CHUNK;

  private static final ErrorReason[] REASONS = ErrorReason.values();

  private final Store store;
  private final MeterRegistry registry;
  /** Index 0 the OK timer, 1 + ordinal the timer of each error reason; filled on first use. */
  private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(REASONS.length + 1);

  SmallReads(Store store, MeterRegistry registry) {
    this.store = store;
    this.registry = registry;
  }

  /** Reads, verifies and answers one item. */
  ReadSmallReply read(ReadSmallRequest req) {
    long start = System.nanoTime();
    ReadSmallReply reply;
    MogulException failure = null;
    try {
      reply = readVerified(req);
    } catch (IOException | RuntimeException e) {
      failure = Statuses.typed(e);
      reply = ReadSmallReply.newBuilder().setFid(req.getFid()).setDeviceId(req.getDeviceId())
          .setError(failure.reason()).setErrorMessage(String.valueOf(failure.getMessage())).build();
    }
    timer(failure).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    return reply;
  }

  private ReadSmallReply readVerified(ReadSmallRequest req) throws IOException {
    long length = req.getLength() == 0 ? -1 : req.getLength(); // 0, the proto default: to the end
    BlobRange.checkRequest(req.getOffset(), length);
    try (NeedleReader.OpenNeedle needle = store.open(req.getDeviceId(), req.getFid())) {
      if (needle.length() > MAX_BLOB_BYTES) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fid " + Long.toUnsignedString(req.getFid())
            + " on device " + req.getDeviceId() + " is " + needle.length() + " bytes, above the " + MAX_BLOB_BYTES
            + "-byte limit of ReadSmallStream; read it with Read");
      }
      BlobRange range = BlobRange.within(req.getOffset(), length, needle.length());
      ByteBuffer data = needle.read(range.offset(), (int) range.length());
      return ReadSmallReply.newBuilder().setFid(req.getFid()).setDeviceId(req.getDeviceId())
          .setLength(needle.length()).setCrc32C(needle.header().crc32c()).setRangeOffset(range.offset())
          .setData(UnsafeByteOperations.unsafeWrap(data)).build();
    }
  }

  private Timer timer(MogulException failure) {
    int slot = failure == null ? 0 : 1 + failure.reason().ordinal();
    Timer t = timers.get(slot);
    if (t == null) {
      t = Timer.builder("mogul.datanode.small.reads")
          .description("ReadSmallStream items, from received to read and verified (or failed), by outcome")
          .tag("outcome", failure == null ? "OK" : failure.reason().name())
          .register(registry);
      timers.set(slot, t); // registering again returns the same timer, so a race is harmless
    }
    return t;
  }
}
