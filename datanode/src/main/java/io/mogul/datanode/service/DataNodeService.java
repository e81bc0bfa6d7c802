package io.mogul.datanode.service;

import io.mogul.common.ByteStrings;
import io.mogul.common.grpc.ChannelPool;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.mogul.common.MogulException;
import io.mogul.datanode.storage.BlobReceiver;
import io.mogul.datanode.storage.Device;
import io.mogul.datanode.storage.NeedleBody;
import io.mogul.datanode.storage.Store;
import io.mogul.datanode.storage.VolumeChecker;
import io.mogul.datanode.storage.format.NeedleHeader;
import io.mogul.proto.BlobEntry;
import io.mogul.proto.BlobMeta;
import io.mogul.proto.BlobRef;
import io.mogul.proto.BlobStat;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeleteResponse;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ListBlobsRequest;
import io.mogul.proto.ListBlobsResponse;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import io.mogul.proto.ReplicateRequest;
import io.mogul.proto.VerifyResponse;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import java.util.Iterator;
import java.util.concurrent.Executor;

/** The DataNode gRPC API over a {@link Store}. */
public final class DataNodeService extends DataNodeGrpc.DataNodeImplBase {
  private static final int DEFAULT_LIST_LIMIT = 1000;
  private static final int MAX_LIST_LIMIT = 10_000;

  private final Store store;
  private final ChannelPool peers;
  private final Executor io;
  private final Executor reads;
  private final SmallWrites smallWrites;
  private final PipelineWindow.Meters streamMeters;
  private final SmallReads smallReads;
  private final PipelineWindow.Meters readStreamMeters;

  /**
   * @param io pool for work that blocks on files or peers (uploads, replication, audits);
   *     everything else is quick enough to run on the transport threads
   * @param reads where {@code Read} calls and {@code ReadSmallStream} items read and send blob
   *     data ({@code Runnable::run} reads on the transport threads)
   * @param metrics registry of the datanode's per-item read and write meters
   */
  public DataNodeService(Store store, ChannelPool peers, Executor io, Executor reads, MeterRegistry metrics) {
    this.store = store;
    this.peers = peers;
    this.io = io;
    this.reads = reads;
    this.smallWrites = new SmallWrites(store, metrics);
    this.streamMeters = WriteSmallStreamCall.meters(metrics);
    this.smallReads = new SmallReads(store, metrics);
    this.readStreamMeters = ReadSmallStreamCall.meters(metrics);
  }

  @Override
  public StreamObserver<WriteRequest> write(StreamObserver<WriteResponse> responseObserver) {
    ServerCallStreamObserver<WriteResponse> call = (ServerCallStreamObserver<WriteResponse>) responseObserver;
    call.disableAutoRequest();
    call.request(1);
    return new WriteCall(store, call, io);
  }

  @Override
  public void writeSmall(WriteSmallRequest req, StreamObserver<WriteResponse> out) {
    smallWrites.write(req, SmallWrites.Rpc.WRITE_SMALL, failure -> {
      if (failure != null) {
        out.onError(failure.toStatusException());
      } else {
        out.onNext(WriteResponse.newBuilder().setFid(req.getFid()).setDeviceId(req.getDeviceId())
            .setLength(req.getData().size()).setCrc32C(req.getCrc32C()).build());
        out.onCompleted();
      }
    });
  }

  @Override
  public StreamObserver<WriteSmallRequest> writeSmallStream(StreamObserver<WriteSmallAck> out) {
    return WriteSmallStreamCall.start(smallWrites, (ServerCallStreamObserver<WriteSmallAck>) out,
        store.config().server.maxPipelinedWrites, streamMeters);
  }

  @Override
  public void read(ReadRequest req, StreamObserver<ReadResponse> out) {
    ReadCall.start(store, req, (ServerCallStreamObserver<ReadResponse>) out, reads,
        Math.max(4096, store.config().storage.readChunkBytes));
  }

  @Override
  public StreamObserver<ReadSmallRequest> readSmallStream(StreamObserver<ReadSmallReply> out) {
    return ReadSmallStreamCall.start(smallReads, reads, (ServerCallStreamObserver<ReadSmallReply>) out,
        store.config().server.maxPipelinedReads, readStreamMeters);
  }

  @Override
  public void delete(BlobRef req, StreamObserver<DeleteResponse> out) {
    try {
      store.delete(req.getDeviceId(), req.getFid()).whenComplete((existed, err) -> {
        if (err != null) {
          out.onError(Statuses.of(err));
        } else {
          out.onNext(DeleteResponse.newBuilder().setExisted(existed).build());
          out.onCompleted();
        }
      });
    } catch (RuntimeException e) {
      out.onError(Statuses.of(e));
    }
  }

  @Override
  public void stat(BlobRef req, StreamObserver<BlobStat> out) {
    try {
      NeedleHeader h = store.readable(req.getDeviceId()).reader().header(nonZero(req.getFid()));
      BlobStat.Builder b = BlobStat.newBuilder().setExists(h != null);
      if (h != null) {
        b.setLength(h.length()).setCrc32C(h.crc32c()).setStoredMs(h.storedMs());
      }
      out.onNext(b.build());
      out.onCompleted();
    } catch (Exception e) {
      out.onError(Statuses.of(e));
    }
  }

  @Override
  public void verify(BlobRef req, StreamObserver<VerifyResponse> out) {
    io.execute(() -> verifyBlob(req, out));
  }

  private void verifyBlob(BlobRef req, StreamObserver<VerifyResponse> out) {
    try {
      VolumeChecker.Verdict v = VolumeChecker.verify(store.readable(req.getDeviceId()), nonZero(req.getFid()));
      out.onNext(VerifyResponse.newBuilder().setExists(v.exists()).setOk(v.ok()).setLength(v.length())
          .setStoredCrc32C(v.storedCrc()).setComputedCrc32C(v.computedCrc()).build());
      out.onCompleted();
    } catch (Exception e) {
      out.onError(Statuses.of(e));
    }
  }

  @Override
  public void listFids(ListBlobsRequest req, StreamObserver<ListBlobsResponse> out) {
    io.execute(() -> listPage(req, out));
  }

  private void listPage(ListBlobsRequest req, StreamObserver<ListBlobsResponse> out) {
    try {
      Device d = store.readable(req.getDeviceId());
      int limit = req.getLimit() == 0 ? DEFAULT_LIST_LIMIT
          : (int) Math.min(Integer.toUnsignedLong(req.getLimit()), MAX_LIST_LIMIT);
      long[] fids = d.index().fidsAfter(req.getAfterFid(), limit);
      ListBlobsResponse.Builder b = ListBlobsResponse.newBuilder();
      for (long fid : fids) {
        NeedleHeader h = d.reader().header(fid);
        if (h != null) { // deleted meanwhile otherwise
          b.addBlobs(BlobEntry.newBuilder().setFid(fid).setLength(h.length()).setStoredMs(h.storedMs()));
        }
      }
      b.setNextAfter(fids.length == limit ? fids[fids.length - 1] : 0);
      out.onNext(b.build());
      out.onCompleted();
    } catch (Exception e) {
      out.onError(Statuses.of(e));
    }
  }

  @Override
  public void replicate(ReplicateRequest req, StreamObserver<WriteResponse> out) {
    Context context = Context.current();
    io.execute(context.wrap(() -> replicateBlob(req, out)));
  }

  private void replicateBlob(ReplicateRequest req, StreamObserver<WriteResponse> out) {
    Context.CancellableContext pull = Context.current().fork().withCancellation();
    try {
      WriteResponse response = pull.call(() -> pullFromPeer(req));
      out.onNext(response);
      out.onCompleted();
    } catch (Exception e) {
      out.onError(Statuses.of(e));
    } finally {
      pull.cancel(null);
    }
  }

  private WriteResponse pullFromPeer(ReplicateRequest req) throws Exception {
    if (req.getSourceAddress().isEmpty()) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "replicate needs a source address");
    }
    Iterator<ReadResponse> in;
    try (BlobReceiver receiver = store.receive(req.getDeviceId(), req.getFid())) {
      try {
        in = DataNodeGrpc.newBlockingStub(peers.get(req.getSourceAddress())).read(ReadRequest.newBuilder()
            .setFid(req.getFid()).setDeviceId(req.getSourceDeviceId()).setOffset(0).setLength(-1).build());
        if (!in.hasNext()) {
          throw new MogulException(ErrorReason.UNAVAILABLE, "source sent nothing");
        }
        BlobMeta meta = in.next().getMeta();
        if (meta.getLength() != req.getExpectedLength() || meta.getCrc32C() != req.getExpectedCrc32C()) {
          throw new MogulException(ErrorReason.CHECKSUM_MISMATCH, "source copy of fid "
              + Long.toUnsignedString(req.getFid()) + " has length " + meta.getLength() + " and CRC32C "
              + Integer.toUnsignedString(meta.getCrc32C()) + ", expected " + req.getExpectedLength() + " and "
              + Integer.toUnsignedString(req.getExpectedCrc32C()));
        }
        while (in.hasNext()) {
          receiver.add(ByteStrings.view(in.next().getChunk()));
        }
      } catch (io.grpc.StatusRuntimeException e) {
        MogulException m = MogulException.from(e);
        throw new MogulException(m.reason(), "pulling from " + req.getSourceAddress() + ": " + m.getMessage(), e);
      }
      NeedleBody body = receiver.finish(req.getExpectedLength(), req.getExpectedCrc32C());
      store.commit(req.getDeviceId(), req.getFid(), body).get();
      return WriteResponse.newBuilder().setFid(req.getFid()).setDeviceId(req.getDeviceId())
          .setLength(body.length()).setCrc32C(body.crc32c()).build();
    }
  }

  private static long nonZero(long fid) {
    if (fid == 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fid 0 is never allocated");
    }
    return fid;
  }
}
