package io.mogul.datanode.service;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallRequest;
import io.mogul.proto.WriteTrailer;
import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/** Test-side client of the DataNode API with flow-controlled streaming writes. */
final class DataNodeClient implements AutoCloseable {
  final ManagedChannel channel;
  final DataNodeGrpc.DataNodeBlockingStub blocking;
  final DataNodeGrpc.DataNodeStub async;

  DataNodeClient(String address) {
    channel = NettyChannelBuilder.forTarget(address).usePlaintext().maxInboundMessageSize(32 << 20).build();
    blocking = DataNodeGrpc.newBlockingStub(channel);
    async = DataNodeGrpc.newStub(channel);
  }

  static int crc(byte[] b) {
    CRC32C c = new CRC32C();
    c.update(b);
    return (int) c.getValue();
  }

  /** A small write of {@code data} with its right checksum. */
  static WriteSmallRequest smallWrite(long fid, int device, byte[] data) {
    return WriteSmallRequest.newBuilder().setFid(fid).setDeviceId(device).setData(ByteString.copyFrom(data))
        .setCrc32C(crc(data)).build();
  }

  /** Passed as the expected length: the header leaves the field out. */
  static final long OMIT_EXPECTED_LENGTH = Long.MIN_VALUE;

  /** Streams chunks from {@code next} (null ends) while the transport is ready, then a trailer. */
  CompletableFuture<WriteResponse> write(long fid, int device, long expectedLength, Supplier<ByteString> next,
      Supplier<WriteTrailer> trailer) {
    CompletableFuture<WriteResponse> result = new CompletableFuture<>();
    async.write(new ClientResponseObserver<WriteRequest, WriteResponse>() {
      private boolean sentAll;
      private boolean sentHeader;

      @Override
      public void beforeStart(ClientCallStreamObserver<WriteRequest> out) {
        out.setOnReadyHandler(() -> {
          synchronized (this) {
            if (sentAll) {
              return;
            }
            if (!sentHeader) {
              sentHeader = true;
              WriteHeader.Builder header = WriteHeader.newBuilder().setFid(fid).setDeviceId(device);
              if (expectedLength != OMIT_EXPECTED_LENGTH) {
                header.setExpectedLength(expectedLength);
              }
              out.onNext(WriteRequest.newBuilder().setHeader(header).build());
            }
            while (out.isReady()) {
              ByteString chunk = next.get();
              if (chunk == null) {
                sentAll = true;
                out.onNext(WriteRequest.newBuilder().setTrailer(trailer.get()).build());
                out.onCompleted();
                return;
              }
              out.onNext(WriteRequest.newBuilder().setChunk(chunk).build());
            }
          }
        });
      }

      @Override
      public void onNext(WriteResponse value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    return result;
  }

  WriteResponse write(long fid, int device, byte[] data, int chunkBytes) throws Exception {
    int[] pos = {0};
    return write(fid, device, data.length, () -> {
      if (pos[0] >= data.length) {
        return null;
      }
      int n = Math.min(chunkBytes, data.length - pos[0]);
      ByteString b = ByteString.copyFrom(data, pos[0], n);
      pos[0] += n;
      return b;
    }, () -> WriteTrailer.newBuilder().setLength(data.length).setCrc32C(crc(data)).build()).get(60, TimeUnit.SECONDS);
  }

  byte[] read(long fid, int device, long offset, long length) {
    Iterator<ReadResponse> it = blocking.read(ReadRequest.newBuilder().setFid(fid).setDeviceId(device)
        .setOffset(offset).setLength(length).build());
    it.next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (it.hasNext()) {
      out.writeBytes(it.next().getChunk().toByteArray());
    }
    return out.toByteArray();
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }
}
