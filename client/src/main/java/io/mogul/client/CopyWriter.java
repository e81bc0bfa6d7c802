package io.mogul.client;

import io.mogul.common.grpc.ChannelPool;
import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.mogul.common.ByteStrings;
import io.mogul.common.MogulException;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import io.mogul.proto.WriteTrailer;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;

/**
 * Writes one copy of a blob to one device. Small blobs go as one item of the datanode's
 * shared {@code WriteSmallStream} call (one message each way, and the datanode's group
 * commit takes the items of every concurrent put); larger ones are streamed in fixed-size
 * chunks with gRPC flow control, so a copy holds at most a couple of chunks in memory
 * whatever the blob's size.
 */
final class CopyWriter implements AutoCloseable {
  private final ChannelPool channels;
  private final int chunkBytes;
  private final PipelinedStreams<WriteSmallRequest, WriteSmallAck> smallWrites;

  CopyWriter(ChannelPool channels, int chunkBytes) {
    this.channels = channels;
    this.chunkBytes = chunkBytes;
    this.smallWrites = new PipelinedStreams<>(channels, DataNodeGrpc.DataNodeStub::writeSmallStream,
        r -> new PipelinedStreams.Key(r.getFid(), r.getDeviceId()),
        a -> new PipelinedStreams.Key(a.getFid(), a.getDeviceId()), "small write");
  }

  /** An in-memory blob taken once for all its copies, with the CRC32C of those bytes. */
  record SmallBlob(ByteString data, int crc32c) {
    static SmallBlob of(byte[] bytes) {
      ByteString data = ByteString.copyFrom(bytes);
      CRC32C crc = new CRC32C();
      crc.update(ByteStrings.view(data));
      return new SmallBlob(data, (int) crc.getValue());
    }
  }

  /** Writes {@code blob} as one item; the future fails with a typed error. */
  CompletableFuture<WriteResponse> writeSmall(DeviceLocation device, long fid, SmallBlob blob, long deadlineNanos) {
    WriteSmallRequest request = WriteSmallRequest.newBuilder()
        .setFid(fid).setDeviceId(device.getDeviceId())
        .setData(blob.data()).setCrc32C(blob.crc32c()).build();
    return smallWrites.call(device.getAddress(), request, deadlineNanos).thenApply(ack -> {
      if (ack.getError() != ErrorReason.ERROR_REASON_UNSPECIFIED) {
        throw new MogulException(ack.getError(), describe(device) + ": " + ack.getErrorMessage());
      }
      WriteResponse response = WriteResponse.newBuilder().setFid(ack.getFid()).setDeviceId(ack.getDeviceId())
          .setLength(ack.getLength()).setCrc32C(ack.getCrc32C()).build();
      return check(device, response, blob.data().size(), blob.crc32c());
    });
  }

  @Override
  public void close() {
    smallWrites.close();
  }

  /**
   * Streams the whole source to the device, blocking the calling thread until the
   * datanode acknowledges the fsync'ed copy.
   *
   * @param progress told each chunk's size once sent, or null
   * @return the datanode's acknowledgement, checked against the length and CRC32C sent
   */
  WriteResponse writeStream(DeviceLocation device, long fid, BlobSource source, long deadlineNanos,
      java.util.function.LongConsumer progress) {
    CompletableFuture<WriteResponse> result = new CompletableFuture<>();
    Object readyLock = new Object();
    ClientResponseObserver<WriteRequest, WriteResponse> observer = new ClientResponseObserver<>() {
      private WriteResponse response;

      @Override
      public void beforeStart(ClientCallStreamObserver<WriteRequest> requestStream) {
        requestStream.setOnReadyHandler(() -> {
          synchronized (readyLock) {
            readyLock.notifyAll();
          }
        });
      }

      @Override
      public void onNext(WriteResponse value) {
        response = value;
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(MogulException.from(t));
        synchronized (readyLock) {
          readyLock.notifyAll();
        }
      }

      @Override
      public void onCompleted() {
        if (response == null) {
          result.completeExceptionally(new MogulException(ErrorReason.INTERNAL,
              "datanode " + device.getAddress() + " closed the write without an answer"));
        } else {
          result.complete(response);
        }
      }
    };
    long remaining = deadlineNanos - System.nanoTime();
    ClientCallStreamObserver<WriteRequest> requests = (ClientCallStreamObserver<WriteRequest>)
        DataNodeGrpc.newStub(channels.get(device.getAddress()))
            .withDeadlineAfter(Math.max(1, remaining), TimeUnit.NANOSECONDS)
            .write(observer);
    CRC32C crc = new CRC32C();
    long length = 0;
    try (BlobSource.Chunks chunks = source.chunks(chunkBytes)) {
      requests.onNext(WriteRequest.newBuilder().setHeader(WriteHeader.newBuilder()
          .setFid(fid).setDeviceId(device.getDeviceId()).setExpectedLength(source.length())).build());
      ByteString chunk;
      while ((chunk = chunks.next()) != null) {
        crc.update(ByteStrings.view(chunk));
        length += chunk.size();
        awaitReady(requests, result, readyLock, deadlineNanos, device);
        requests.onNext(WriteRequest.newBuilder().setChunk(chunk).build());
        if (progress != null) {
          progress.accept(chunk.size());
        }
      }
      if (length != source.length()) {
        throw new MogulException(ErrorReason.LENGTH_MISMATCH,
            "the source changed during the upload: expected " + source.length() + " bytes, read " + length);
      }
      requests.onNext(WriteRequest.newBuilder().setTrailer(
          WriteTrailer.newBuilder().setLength(length).setCrc32C((int) crc.getValue())).build());
      requests.onCompleted();
      WriteResponse response = result.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
      return check(device, response, length, (int) crc.getValue());
    } catch (IOException e) {
      requests.cancel("cannot read the source", e);
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "cannot read the data to upload: " + e.getMessage(), e);
    } catch (ExecutionException e) {
      throw MogulException.from(e.getCause());
    } catch (TimeoutException e) {
      requests.cancel("deadline exceeded", e);
      throw new MogulException(ErrorReason.UNAVAILABLE, "write to " + describe(device) + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      requests.cancel("interrupted", e);
      throw new MogulException(ErrorReason.UNAVAILABLE, "write to " + describe(device) + " interrupted", e);
    } catch (RuntimeException e) {
      requests.cancel("write abandoned", e);
      throw MogulException.from(e);
    }
  }

  private static void awaitReady(ClientCallStreamObserver<WriteRequest> requests,
      CompletableFuture<WriteResponse> result, Object readyLock, long deadlineNanos,
      DeviceLocation device) throws InterruptedException, ExecutionException {
    synchronized (readyLock) {
      while (!requests.isReady() && !result.isDone()) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          throw new MogulException(ErrorReason.UNAVAILABLE, "write to " + describe(device) + " timed out");
        }
        TimeUnit.NANOSECONDS.timedWait(readyLock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
    if (result.isDone()) {
      // The datanode answered (with an error) before we finished sending.
      result.get();
      throw new MogulException(ErrorReason.INTERNAL,
          "datanode " + describe(device) + " answered before the upload ended");
    }
  }

  private static WriteResponse check(DeviceLocation device, WriteResponse response, long length, int crc32c) {
    if (response.getLength() != length || response.getCrc32C() != crc32c) {
      throw new MogulException(ErrorReason.CHECKSUM_MISMATCH, "datanode " + describe(device)
          + " acknowledged " + response.getLength() + " bytes crc " + Integer.toHexString(response.getCrc32C())
          + ", sent " + length + " bytes crc " + Integer.toHexString(crc32c));
    }
    return response;
  }

  static String describe(DeviceLocation device) {
    return "dev" + device.getDeviceId() + "@" + device.getAddress();
  }
}
