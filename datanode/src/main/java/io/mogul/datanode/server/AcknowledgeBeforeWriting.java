package io.mogul.datanode.server;

import io.grpc.stub.StreamObserver;
import io.mogul.datanode.service.DataNodeService;
import io.mogul.proto.BlobRef;
import io.mogul.proto.BlobStat;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeleteResponse;
import io.mogul.proto.ListBlobsRequest;
import io.mogul.proto.ListBlobsResponse;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import io.mogul.proto.ReplicateRequest;
import io.mogul.proto.VerifyResponse;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deliberately broken datanode API, installed only by the {@code unsafe.acknowledgeBeforeWriting}
 * setting: a write ({@code WriteSmall}, or an item of {@code WriteSmallStream}) is
 * acknowledged at once and stored {@link #DELAY_MS} later (streamed writes are never
 * stored), so a crash in between loses acknowledged data. Every other call,
 * {@code ReadSmallStream} included, goes to the real service. It exists so the chaos
 * harness can prove that its checker reports such loss; the real service carries no such
 * switch.
 */
final class AcknowledgeBeforeWriting extends DataNodeGrpc.DataNodeImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(AcknowledgeBeforeWriting.class);

  static final long DELAY_MS = 10_000;

  private final DataNodeService real;
  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "unsafe-delayed-writes");
    t.setDaemon(true);
    return t;
  });

  AcknowledgeBeforeWriting(DataNodeService real) {
    this.real = real;
    LOG.warn("UNSAFE: this datanode acknowledges writes before storing them (unsafe.acknowledgeBeforeWriting)");
  }

  @Override
  public StreamObserver<WriteRequest> write(StreamObserver<WriteResponse> out) {
    return new StreamObserver<>() {
      private WriteHeader header;

      @Override
      public void onNext(WriteRequest part) {
        if (part.hasHeader()) {
          header = part.getHeader();
        } else if (part.hasTrailer() && header != null) {
          out.onNext(WriteResponse.newBuilder().setFid(header.getFid()).setDeviceId(header.getDeviceId())
              .setLength(part.getTrailer().getLength()).setCrc32C(part.getTrailer().getCrc32C()).build());
        }
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; there is nothing stored to clean up, by design.
      }

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  @Override
  public void writeSmall(WriteSmallRequest req, StreamObserver<WriteResponse> out) {
    storeLater(req);
    out.onNext(WriteResponse.newBuilder().setFid(req.getFid()).setDeviceId(req.getDeviceId())
        .setLength(req.getData().size()).setCrc32C(req.getCrc32C()).build());
    out.onCompleted();
  }

  @Override
  public StreamObserver<WriteSmallRequest> writeSmallStream(StreamObserver<WriteSmallAck> out) {
    // gRPC delivers a call's requests one at a time, so acks are sent from one thread.
    return new StreamObserver<>() {
      @Override
      public void onNext(WriteSmallRequest req) {
        storeLater(req);
        out.onNext(WriteSmallAck.newBuilder().setFid(req.getFid()).setDeviceId(req.getDeviceId())
            .setLength(req.getData().size()).setCrc32C(req.getCrc32C()).build());
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; the items it sent are stored later all the same.
      }

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  private void storeLater(WriteSmallRequest req) {
    later.schedule(() -> real.writeSmall(req, new StreamObserver<>() {
      @Override
      public void onNext(WriteResponse value) {
        // Stored, long after the client was told so.
      }

      @Override
      public void onError(Throwable t) {
        LOG.warn("delayed write of fid {} failed", req.getFid(), t);
      }

      @Override
      public void onCompleted() {
        // Nothing more to do.
      }
    }), DELAY_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void read(ReadRequest req, StreamObserver<ReadResponse> out) {
    real.read(req, out);
  }

  @Override
  public StreamObserver<ReadSmallRequest> readSmallStream(StreamObserver<ReadSmallReply> out) {
    return real.readSmallStream(out);
  }

  @Override
  public void delete(BlobRef req, StreamObserver<DeleteResponse> out) {
    real.delete(req, out);
  }

  @Override
  public void stat(BlobRef req, StreamObserver<BlobStat> out) {
    real.stat(req, out);
  }

  @Override
  public void verify(BlobRef req, StreamObserver<VerifyResponse> out) {
    real.verify(req, out);
  }

  @Override
  public void listFids(ListBlobsRequest req, StreamObserver<ListBlobsResponse> out) {
    real.listFids(req, out);
  }

  @Override
  public void replicate(ReplicateRequest req, StreamObserver<WriteResponse> out) {
    real.replicate(req, out);
  }
}
