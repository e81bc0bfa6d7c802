package io.mogul.client;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.proto.BlobMeta;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/** An in-memory datanode for client tests, with switches to make it fail. */
final class FakeDatanode extends DataNodeGrpc.DataNodeImplBase implements AutoCloseable {
  final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  final AtomicInteger writes = new AtomicInteger();
  volatile boolean failWrites;
  /** Fail a streamed write after this many chunks (-1: never). */
  volatile int failWriteAfterChunks = -1;
  volatile boolean failReads;
  /** Serve reads with one flipped byte. */
  volatile boolean corruptReads;
  /** Fail a streamed read after sending this many chunks (-1: never). */
  volatile int failReadAfterChunks = -1;
  volatile int readChunkBytes = 64 * 1024;
  /** ReadSmallStream calls opened on this datanode. */
  final AtomicInteger smallReadStreams = new AtomicInteger();
  private final Server server;

  FakeDatanode() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(this).maxInboundMessageSize(16 << 20).build().start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  static String ref(long fid, int device) {
    return fid + "/" + device;
  }

  @Override
  public StreamObserver<WriteSmallRequest> writeSmallStream(StreamObserver<WriteSmallAck> acks) {
    return eachAnswered(acks, request -> {
      writes.incrementAndGet();
      WriteSmallAck.Builder ack = WriteSmallAck.newBuilder().setFid(request.getFid())
          .setDeviceId(request.getDeviceId());
      byte[] data = request.getData().toByteArray();
      int crc = crc(data);
      if (failWrites) {
        ack.setError(ErrorReason.DEVICE_UNAVAILABLE).setErrorMessage("injected");
      } else if (crc != request.getCrc32C()) {
        ack.setError(ErrorReason.CHECKSUM_MISMATCH).setErrorMessage("bad crc");
      } else {
        blobs.put(ref(request.getFid(), request.getDeviceId()), data);
        ack.setLength(data.length).setCrc32C(crc);
      }
      return ack.build();
    });
  }

  /** A pipelined stream that answers each item as it arrives, in order, and completes when the caller does. */
  private static <Q, R> StreamObserver<Q> eachAnswered(StreamObserver<R> out, java.util.function.Function<Q, R> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(Q request) {
        R reply = answer.apply(request);
        synchronized (out) {
          out.onNext(reply);
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        synchronized (out) {
          out.onCompleted();
        }
      }
    };
  }

  /** The bytes a read serves: the blob itself, or a copy with one flipped byte while reads are corrupted. */
  private byte[] served(byte[] blob) {
    byte[] served = blob.clone();
    if (corruptReads && served.length > 0) {
      served[served.length / 2] ^= 1;
    }
    return served;
  }

  @Override
  public StreamObserver<WriteRequest> write(StreamObserver<WriteResponse> response) {
    writes.incrementAndGet();
    return new StreamObserver<>() {
      private WriteHeader header;
      private final ByteArrayOutputStream data = new ByteArrayOutputStream();
      private int chunks;
      private boolean failed;

      @Override
      public void onNext(WriteRequest request) {
        if (failed) {
          return;
        }
        switch (request.getPartCase()) {
          case HEADER -> header = request.getHeader();
          case CHUNK -> {
            if (failWrites || (failWriteAfterChunks >= 0 && chunks >= failWriteAfterChunks)) {
              failed = true;
              response.onError(new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "injected").toStatusException());
              return;
            }
            chunks++;
            data.writeBytes(request.getChunk().toByteArray());
          }
          case TRAILER -> {
            byte[] bytes = data.toByteArray();
            if (bytes.length != request.getTrailer().getLength() || crc(bytes) != request.getTrailer().getCrc32C()) {
              failed = true;
              response.onError(new MogulException(ErrorReason.CHECKSUM_MISMATCH, "trailer").toStatusException());
              return;
            }
            blobs.put(ref(header.getFid(), header.getDeviceId()), bytes);
            response.onNext(WriteResponse.newBuilder().setFid(header.getFid()).setDeviceId(header.getDeviceId())
                .setLength(bytes.length).setCrc32C(crc(bytes)).build());
            response.onCompleted();
          }
          default -> throw new IllegalStateException("empty write part");
        }
      }

      @Override
      public void onError(Throwable t) {
        failed = true;
      }

      @Override
      public void onCompleted() {
        if (!failed && header != null && !blobs.containsKey(ref(header.getFid(), header.getDeviceId()))) {
          response.onError(new MogulException(ErrorReason.INVALID_ARGUMENT, "no trailer").toStatusException());
        }
      }
    };
  }

  @Override
  public void read(ReadRequest request, StreamObserver<ReadResponse> response) {
    byte[] blob = blobs.get(ref(request.getFid(), request.getDeviceId()));
    if (failReads) {
      response.onError(new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "injected").toStatusException());
      return;
    }
    if (blob == null) {
      response.onError(new MogulException(ErrorReason.BLOB_NOT_FOUND, "no blob").toStatusException());
      return;
    }
    int offset = (int) request.getOffset();
    int length = request.getLength() < 0 ? blob.length - offset : (int) request.getLength();
    byte[] served = served(blob);
    response.onNext(ReadResponse.newBuilder().setMeta(BlobMeta.newBuilder().setFid(request.getFid())
        .setLength(blob.length).setCrc32C(crc(blob)).setRangeOffset(offset).setRangeLength(length)).build());
    int sent = 0;
    for (int pos = offset; pos < offset + length; pos += readChunkBytes) {
      if (failReadAfterChunks >= 0 && sent >= failReadAfterChunks) {
        response.onError(new MogulException(ErrorReason.DEVICE_UNAVAILABLE, "injected mid-read").toStatusException());
        return;
      }
      int n = Math.min(readChunkBytes, offset + length - pos);
      response.onNext(ReadResponse.newBuilder().setChunk(ByteString.copyFrom(served, pos, n)).build());
      sent++;
    }
    response.onCompleted();
  }

  @Override
  public StreamObserver<ReadSmallRequest> readSmallStream(StreamObserver<ReadSmallReply> replies) {
    smallReadStreams.incrementAndGet();
    return eachAnswered(replies, request -> {
      ReadSmallReply.Builder reply = ReadSmallReply.newBuilder().setFid(request.getFid())
          .setDeviceId(request.getDeviceId());
      byte[] blob = blobs.get(ref(request.getFid(), request.getDeviceId()));
      if (failReads) {
        reply.setError(ErrorReason.DEVICE_UNAVAILABLE).setErrorMessage("injected");
      } else if (blob == null) {
        reply.setError(ErrorReason.BLOB_NOT_FOUND).setErrorMessage("no blob");
      } else {
        reply.setLength(blob.length).setCrc32C(crc(blob)).setData(ByteString.copyFrom(served(blob)));
      }
      return reply.build();
    });
  }

  static int crc(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data);
    return (int) c.getValue();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
