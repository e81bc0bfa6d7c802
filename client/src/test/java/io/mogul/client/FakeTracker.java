package io.mogul.client;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.proto.CreateCloseBatchRequest;
import io.mogul.proto.CreateCloseBatchResponse;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateCloseResult;
import io.mogul.proto.CreateOpenBatchRequest;
import io.mogul.proto.CreateOpenBatchResponse;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.CreateOpenResult;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FileKey;
import io.mogul.proto.GetPathsBatchRequest;
import io.mogul.proto.GetPathsBatchResponse;
import io.mogul.proto.GetPathsRequest;
import io.mogul.proto.GetPathsResponse;
import io.mogul.proto.GetPathsResult;
import io.mogul.proto.KeySummary;
import io.mogul.proto.ListKeysRequest;
import io.mogul.proto.ListKeysResponse;
import io.mogul.proto.ReadOptions;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.TrackerGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory tracker for client tests: one device per fake datanode, one domain "d". */
final class FakeTracker extends TrackerGrpc.TrackerImplBase implements AutoCloseable {
  final List<DeviceLocation> devices = new CopyOnWriteArrayList<>();
  final ConcurrentSkipListMap<String, FileInfo> files = new ConcurrentSkipListMap<>();
  final Map<Long, CreateOpenRequest> openUploads = new ConcurrentHashMap<>();
  final List<CreateOpenRequest> opens = new CopyOnWriteArrayList<>();
  final List<CreateCloseRequest> closes = new CopyOnWriteArrayList<>();
  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger batchCalls = new AtomicInteger();
  final AtomicInteger largestBatch = new AtomicInteger();
  /** Lookups that asked for a possibly stale answer; a follower gives those itself. */
  final AtomicInteger staleReads = new AtomicInteger();
  volatile boolean notLeader;
  /** Fail every call as an uncaught server exception would. */
  volatile boolean broken;
  volatile boolean batchUnimplemented;
  /** While positive, batch items fail retriably (as during a leader change), one per count. */
  final AtomicInteger retriableItemFailures = new AtomicInteger();
  /** While positive, a close finds its upload gone (as after a leader change), one per count. */
  final AtomicInteger lostUploads = new AtomicInteger();
  volatile int mindevcount = 2;
  /** Devices offered per open beyond mindevcount. */
  volatile int spares = 0;
  /** When set, every answer names this address as the leader, as a real follower does. */
  volatile String leaderHint;
  private final AtomicLong nextFid = new AtomicLong(1);
  private final Server server;

  FakeTracker() throws IOException {
    io.grpc.ServerInterceptor hint = new io.grpc.ServerInterceptor() {
      @Override
      public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call,
          io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, R> next) {
        return next.startCall(new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(io.grpc.Metadata responseHeaders) {
            String leader = leaderHint;
            if (leader != null) {
              responseHeaders.put(TrackerCaller.LEADER, leader);
            }
            super.sendHeaders(responseHeaders);
          }
        }, headers);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(io.grpc.ServerInterceptors.intercept(this, hint)).build().start();
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  void addDevice(int id, String address) {
    devices.add(DeviceLocation.newBuilder().setDeviceId(id).setHostId(id).setAddress(address).build());
  }

  private boolean refuse(StreamObserver<?> response) {
    return refuse(null, response);
  }

  /** As {@link #refuse(StreamObserver)} for a lookup, which a follower answers when it may be stale. */
  private boolean refuse(ReadOptions read, StreamObserver<?> response) {
    calls.incrementAndGet();
    boolean stale = read != null && read.getStaleOk();
    if (stale) {
      staleReads.incrementAndGet();
    }
    if (broken) {
      response.onError(io.grpc.Status.UNKNOWN.withDescription("Application error processing RPC").asRuntimeException());
      return true;
    }
    if (notLeader && !stale) {
      response.onError(new MogulException(ErrorReason.NOT_LEADER, "not the leader").toStatusException());
      return true;
    }
    return false;
  }

  private static <T> void answer(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }

  CreateOpenResponse doOpen(CreateOpenRequest request) {
    if (!request.getDomain().equals("d")) {
      throw new MogulException(ErrorReason.UNKNOWN_DOMAIN, "unknown domain " + request.getDomain());
    }
    opens.add(request);
    Set<Integer> excluded = new HashSet<>(request.getExcludeDevicesList());
    List<DeviceLocation> offered = new ArrayList<>();
    for (DeviceLocation d : devices) {
      if (!excluded.contains(d.getDeviceId()) && offered.size() < mindevcount + spares) {
        offered.add(d);
      }
    }
    if (offered.size() < mindevcount) {
      throw new MogulException(ErrorReason.NO_WRITABLE_DEVICE, "not enough devices");
    }
    long fid = nextFid.getAndIncrement();
    openUploads.put(fid, request);
    return CreateOpenResponse.newBuilder().setFid(fid).addAllDevices(offered).setMindevcount(mindevcount).build();
  }

  FileInfo doClose(CreateCloseRequest request) {
    if (lostUploads.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      openUploads.remove(request.getFid());
    }
    CreateOpenRequest open = openUploads.get(request.getFid());
    if (open == null) {
      throw new MogulException(ErrorReason.UPLOAD_EXPIRED, "no open upload");
    }
    closes.add(request);
    List<DeviceLocation> locations = new ArrayList<>();
    for (int id : request.getDeviceIdsList()) {
      devices.stream().filter(d -> d.getDeviceId() == id).forEach(locations::add);
    }
    FileInfo info = FileInfo.newBuilder().setDomain(request.getDomain()).setKey(request.getKey())
        .setFid(request.getFid()).setLength(request.getLength()).setCrc32C(request.getCrc32C())
        .setContentType(request.getContentType()).putAllAttributes(request.getAttributesMap())
        .addAllLocations(locations).setMindevcount(mindevcount).build();
    files.put(request.getKey(), info);
    return info;
  }

  @Override
  public void createOpen(CreateOpenRequest request, StreamObserver<CreateOpenResponse> response) {
    if (refuse(response)) {
      return;
    }
    try {
      answer(response, doOpen(request));
    } catch (MogulException e) {
      response.onError(e.toStatusException());
    }
  }

  @Override
  public void createClose(CreateCloseRequest request, StreamObserver<FileInfo> response) {
    if (refuse(response)) {
      return;
    }
    try {
      answer(response, doClose(request));
    } catch (MogulException e) {
      response.onError(e.toStatusException());
    }
  }

  private void failItemRetriably() {
    if (retriableItemFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new MogulException(ErrorReason.UNAVAILABLE, "leader not ready");
    }
  }

  /** Counts a batch call, or refuses it as the switches say. */
  private boolean batchAccepted(int items, StreamObserver<?> response) {
    return batchAccepted(items, null, response);
  }

  private boolean batchAccepted(int items, ReadOptions read, StreamObserver<?> response) {
    if (refuse(read, response)) {
      return false;
    }
    if (batchUnimplemented) {
      response.onError(Status.UNIMPLEMENTED.asRuntimeException());
      return false;
    }
    batchCalls.incrementAndGet();
    largestBatch.accumulateAndGet(items, Math::max);
    return true;
  }

  @Override
  public void createOpenBatch(CreateOpenBatchRequest request, StreamObserver<CreateOpenBatchResponse> response) {
    if (!batchAccepted(request.getItemsCount(), response)) {
      return;
    }
    CreateOpenBatchResponse.Builder out = CreateOpenBatchResponse.newBuilder();
    for (CreateOpenRequest item : request.getItemsList()) {
      try {
        failItemRetriably();
        out.addResults(CreateOpenResult.newBuilder().setOpen(doOpen(item)));
      } catch (MogulException e) {
        out.addResults(CreateOpenResult.newBuilder().setError(e.toCallError()));
      }
    }
    answer(response, out.build());
  }

  @Override
  public void createCloseBatch(CreateCloseBatchRequest request, StreamObserver<CreateCloseBatchResponse> response) {
    if (!batchAccepted(request.getItemsCount(), response)) {
      return;
    }
    CreateCloseBatchResponse.Builder out = CreateCloseBatchResponse.newBuilder();
    for (CreateCloseRequest item : request.getItemsList()) {
      try {
        failItemRetriably();
        out.addResults(CreateCloseResult.newBuilder().setFile(doClose(item)));
      } catch (MogulException e) {
        out.addResults(CreateCloseResult.newBuilder().setError(e.toCallError()));
      }
    }
    answer(response, out.build());
  }

  @Override
  public void getPaths(GetPathsRequest request, StreamObserver<GetPathsResponse> response) {
    if (refuse(request.getRead(), response)) {
      return;
    }
    try {
      answer(response, doPaths(request));
    } catch (MogulException e) {
      response.onError(e.toStatusException());
    }
  }

  @Override
  public void getPathsBatch(GetPathsBatchRequest request, StreamObserver<GetPathsBatchResponse> response) {
    if (!batchAccepted(request.getItemsCount(), request.getRead(), response)) {
      return;
    }
    GetPathsBatchResponse.Builder out = GetPathsBatchResponse.newBuilder();
    for (GetPathsRequest item : request.getItemsList()) {
      try {
        failItemRetriably();
        out.addResults(GetPathsResult.newBuilder().setPaths(doPaths(item)));
      } catch (MogulException e) {
        out.addResults(GetPathsResult.newBuilder().setError(e.toCallError()));
      }
    }
    answer(response, out.build());
  }

  private GetPathsResponse doPaths(GetPathsRequest request) {
    FileInfo info = files.get(request.getKey());
    if (info == null) {
      throw new MogulException(ErrorReason.UNKNOWN_KEY, "no such key");
    }
    return GetPathsResponse.newBuilder().setFid(info.getFid()).setLength(info.getLength())
        .setCrc32C(info.getCrc32C()).addAllLocations(info.getLocationsList()).build();
  }

  @Override
  public void getFileInfo(FileKey request, StreamObserver<FileInfo> response) {
    if (refuse(request.getRead(), response)) {
      return;
    }
    FileInfo info = files.get(request.getKey());
    if (info == null) {
      response.onError(new MogulException(ErrorReason.UNKNOWN_KEY, "no such key").toStatusException());
      return;
    }
    answer(response, info);
  }

  @Override
  public void delete(FileKey request, StreamObserver<Empty> response) {
    if (refuse(response)) {
      return;
    }
    if (files.remove(request.getKey()) == null) {
      response.onError(new MogulException(ErrorReason.UNKNOWN_KEY, "no such key").toStatusException());
      return;
    }
    answer(response, Empty.getDefaultInstance());
  }

  @Override
  public void rename(RenameRequest request, StreamObserver<Empty> response) {
    if (refuse(response)) {
      return;
    }
    FileInfo info = files.remove(request.getFromKey());
    if (info == null) {
      response.onError(new MogulException(ErrorReason.UNKNOWN_KEY, "no such key").toStatusException());
      return;
    }
    files.put(request.getToKey(), info.toBuilder().setKey(request.getToKey()).build());
    answer(response, Empty.getDefaultInstance());
  }

  @Override
  public void listKeys(ListKeysRequest request, StreamObserver<ListKeysResponse> response) {
    if (refuse(request.getRead(), response)) {
      return;
    }
    int limit = request.getLimit() == 0 ? 1000 : request.getLimit();
    String from = request.getAfter().isEmpty() ? request.getPrefix() : request.getAfter();
    ListKeysResponse.Builder out = ListKeysResponse.newBuilder();
    for (FileInfo info : files.tailMap(from, request.getAfter().isEmpty()).values()) {
      if (!info.getKey().startsWith(request.getPrefix())) {
        break;
      }
      if (out.getKeysCount() == limit) {
        out.setNextAfter(out.getKeys(limit - 1).getKey());
        break;
      }
      out.addKeys(KeySummary.newBuilder().setKey(info.getKey()).setFid(info.getFid()).setLength(info.getLength()));
    }
    answer(response, out.build());
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
