package io.mogul.client;

import io.mogul.common.MogulException;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.WriteResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One put: open an upload at a tracker, write the class's {@code mindevcount} copies,
 * commit with CreateClose only once every copy is durably acknowledged.
 *
 * <p>Copies are written in parallel, straight from the client to each device, rather
 * than as a chain through the datanodes: the put then costs one write's latency instead of
 * one per copy, and the client's uplink is loopback or LAN, so sending the bytes twice is
 * cheaper than the extra hop and the extra failure mode of a pipeline.
 *
 * <p>A copy that fails is written again to a spare device the tracker returned; when no
 * spare is left the attempt is abandoned and a new upload is opened excluding the failed
 * devices, with backoff, until the retry policy or the deadline runs out. An upload the
 * trackers lost before its close (a leader change) is retried the same way under a new
 * upload. Nothing is visible under the key until CreateClose, so a failed put leaves the
 * old version intact; the blobs of an abandoned upload are garbage collected.
 */
final class PutOperation {
  private static final Logger LOG = LoggerFactory.getLogger(PutOperation.class);

  private final UploadCommitter committer;
  private final CopyWriter writer;
  private final Executor ioExecutor;
  private final ScheduledExecutorService scheduler;
  private final RetryPolicy retry;
  private final int smallBlobBytes;

  PutOperation(UploadCommitter committer, CopyWriter writer, Executor ioExecutor,
      ScheduledExecutorService scheduler, RetryPolicy retry, int smallBlobBytes) {
    this.committer = committer;
    this.writer = writer;
    this.ioExecutor = ioExecutor;
    this.scheduler = scheduler;
    this.retry = retry;
    this.smallBlobBytes = smallBlobBytes;
  }

  CompletableFuture<FileInfo> put(String domain, String key, BlobSource source, PutOptions options,
      long deadlineNanos) {
    CompletableFuture<FileInfo> result = new CompletableFuture<>();
    CopyWriter.SmallBlob small = null;
    if (source instanceof BlobSource.Bytes bytes && bytes.length() <= smallBlobBytes) {
      // One snapshot serves every copy (and any replacement copy), so all copies carry the
      // same bytes, and the checksum is of exactly those bytes.
      small = CopyWriter.SmallBlob.of(bytes.data());
    }
    // Copies lost to failed datanodes are retried within the retry policy's time budget too.
    long retryEnd = System.nanoTime() + retry.maxElapsed().toNanos();
    long copyDeadline = retryEnd - deadlineNanos < 0 ? retryEnd : deadlineNanos;
    attempt(domain, key, source, small, options, deadlineNanos, copyDeadline, new LinkedHashSet<>(), 1, null, result);
    return result;
  }

  private void attempt(String domain, String key, BlobSource source, CopyWriter.SmallBlob small,
      PutOptions options, long deadlineNanos, long retryDeadlineNanos, Set<Integer> excluded, int attempt,
      MogulException lastCopyFailure, CompletableFuture<FileInfo> result) {
    CreateOpenRequest open = CreateOpenRequest.newBuilder()
        .setDomain(domain).setKey(key).setStorageClass(options.storageClass())
        .setSizeHint(source.length()).addAllExcludeDevices(excluded).build();
    committer.open(open, deadlineNanos)
        .thenCompose(opened -> writeCopies(opened, source, small, deadlineNanos, options.progress())
            .thenCompose(copies -> committer.close(CreateCloseRequest.newBuilder()
                .setDomain(domain).setKey(key).setFid(opened.getFid())
                .setLength(copies.length()).setCrc32C(copies.crc32c())
                .addAllDeviceIds(copies.deviceIds())
                .setContentType(options.contentType())
                .putAllAttributes(options.attributes()).build(), deadlineNanos)))
        .whenComplete((info, error) -> {
          if (error == null) {
            result.complete(info);
            return;
          }
          Throwable cause = MogulException.unwrapCompletion(error);
          MogulException retryCause;
          List<Integer> lostDevices;
          MogulException copyFailure;
          if (cause instanceof CopiesFailed failed) {
            retryCause = failed.cause;
            lostDevices = failed.devices;
            copyFailure = failed.cause;
          } else {
            MogulException failure = GrpcFutures.unwrap(cause);
            if (failure.reason() != ErrorReason.UPLOAD_EXPIRED) {
              if (failure.reason() == ErrorReason.NO_WRITABLE_DEVICE && lastCopyFailure != null) {
                // Excluding the devices that failed left none: the copy failure is the real story.
                failure = new MogulException(lastCopyFailure.reason(), "put of '" + key + "' failed: no device left "
                    + "after excluding " + excluded + "; last copy failure: " + lastCopyFailure.getMessage(), failure);
              }
              result.completeExceptionally(failure);
              return;
            }
            // The tracker that issued the upload lost it (a leader change) or it expired. The
            // trackers answer UPLOAD_EXPIRED only for a fid never committed, so writing the
            // file again under a new upload cannot apply it twice.
            retryCause = failure;
            lostDevices = List.of();
            copyFailure = lastCopyFailure;
          }
          long delayMs = retry.backoffMillis(attempt);
          boolean timeLeft = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) < retryDeadlineNanos;
          if (attempt >= retry.maxAttempts() || !timeLeft) {
            result.completeExceptionally(new MogulException(retryCause.reason(),
                "put of '" + key + "' failed after " + attempt + " attempts: " + retryCause.getMessage(),
                retryCause));
            return;
          }
          excluded.addAll(lostDevices);
          LOG.info("put of '{}' failed ({}); retrying in {} ms excluding {}",
              key, retryCause.getMessage(), delayMs, excluded);
          scheduler.schedule(() -> attempt(domain, key, source, small, options, deadlineNanos,
              retryDeadlineNanos, excluded, attempt + 1, copyFailure, result), delayMs, TimeUnit.MILLISECONDS);
        });
  }

  private CompletableFuture<Copies> writeCopies(CreateOpenResponse open, BlobSource source,
      CopyWriter.SmallBlob small, long deadlineNanos, LongConsumer progress) {
    List<DeviceLocation> devices = open.getDevicesList();
    int needed = open.getMindevcount() > 0 ? open.getMindevcount() : devices.size();
    if (devices.isEmpty() || devices.size() < needed) {
      return CompletableFuture.failedFuture(new MogulException(ErrorReason.NO_WRITABLE_DEVICE,
          "the tracker offered " + devices.size() + " devices for " + needed + " copies"));
    }
    CopySet copySet = new CopySet(devices, needed);
    List<CompletableFuture<WriteResponse>> copies = new ArrayList<>(needed);
    for (int i = 0; i < needed; i++) {
      copies.add(writeWithReplacement(copySet, devices.get(i), open.getFid(), source, small, deadlineNanos,
          i == 0 ? progress : null));
    }
    return CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<Integer> ids = new ArrayList<>(needed);
      WriteResponse first = copies.get(0).join();
      for (CompletableFuture<WriteResponse> copy : copies) {
        WriteResponse ack = copy.join();
        if (ack.getLength() != first.getLength() || ack.getCrc32C() != first.getCrc32C()) {
          // Each copy read the source on its own: a file changed under us shows up here.
          throw new MogulException(ErrorReason.CHECKSUM_MISMATCH,
              "the source changed during the upload: copies differ");
        }
        ids.add(ack.getDeviceId());
      }
      return new Copies(ids, first.getLength(), first.getCrc32C());
    });
  }

  private CompletableFuture<WriteResponse> writeWithReplacement(CopySet copySet, DeviceLocation device,
      long fid, BlobSource source, CopyWriter.SmallBlob small, long deadlineNanos, LongConsumer progress) {
    return writeOne(device, fid, source, small, deadlineNanos, progress)
        .thenApply(ack -> ack.getDeviceId() == 0 ? ack.toBuilder().setDeviceId(device.getDeviceId()).build() : ack)
        .exceptionallyCompose(error -> {
          MogulException failure = GrpcFutures.unwrap(error);
          if (isSourceFailure(failure)) {
            return CompletableFuture.failedFuture(failure);
          }
          DeviceLocation spare = copySet.replace(device);
          LOG.debug("copy on {} failed ({}); replacement {}", CopyWriter.describe(device),
              failure.getMessage(), spare == null ? "none" : CopyWriter.describe(spare));
          if (spare == null || System.nanoTime() >= deadlineNanos) {
            return CompletableFuture.failedFuture(new CopiesFailed(copySet.failedDevices(), failure));
          }
          return writeWithReplacement(copySet, spare, fid, source, small, deadlineNanos, progress);
        });
  }

  private CompletableFuture<WriteResponse> writeOne(DeviceLocation device, long fid, BlobSource source,
      CopyWriter.SmallBlob small, long deadlineNanos, LongConsumer progress) {
    if (small != null) {
      return writer.writeSmall(device, fid, small, deadlineNanos);
    }
    return CompletableFuture.supplyAsync(() -> writer.writeStream(device, fid, source, deadlineNanos, progress), ioExecutor);
  }

  /** Failures of the local data, which another device would not cure. */
  private static boolean isSourceFailure(MogulException e) {
    return e.reason() == ErrorReason.INVALID_ARGUMENT || e.reason() == ErrorReason.LENGTH_MISMATCH;
  }

  private record Copies(List<Integer> deviceIds, long length, int crc32c) {}

  /** Every device of an attempt was tried and too few copies succeeded. */
  private static final class CopiesFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<Integer> devices;
    private final transient MogulException cause;

    CopiesFailed(List<Integer> devices, MogulException cause) {
      super(cause.getMessage(), cause, false, false);
      this.devices = devices;
      this.cause = cause;
    }
  }
}
