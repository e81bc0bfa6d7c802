package io.mogul.meta.service;

import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.request.DeleteFile;
import io.mogul.meta.request.Infos;
import io.mogul.meta.request.KnownSettings;
import io.mogul.meta.request.RenameFile;
import io.mogul.meta.request.Results;
import io.mogul.meta.request.Rules;
import io.mogul.meta.request.SetAttributes;
import io.mogul.meta.request.UpdateFileClass;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.StoreException;
import io.mogul.meta.store.Table;
import io.mogul.proto.CreateCloseBatchRequest;
import io.mogul.proto.CreateCloseBatchResponse;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateCloseResult;
import io.mogul.proto.CreateOpenBatchRequest;
import io.mogul.proto.CreateOpenBatchResponse;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.CreateOpenResult;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FidSummary;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FileKey;
import io.mogul.proto.GetPathsBatchRequest;
import io.mogul.proto.GetPathsBatchResponse;
import io.mogul.proto.GetPathsRequest;
import io.mogul.proto.GetPathsResponse;
import io.mogul.proto.GetPathsResult;
import io.mogul.proto.KeySummary;
import io.mogul.proto.ListFidsRequest;
import io.mogul.proto.ListFidsResponse;
import io.mogul.proto.ListKeysRequest;
import io.mogul.proto.ListKeysResponse;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.SetAttributesRequest;
import io.mogul.proto.TrackerGrpc;
import io.mogul.proto.UpdateFileClassRequest;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The client API: create_open/create_close, lookups, listings and file changes. */
public final class TrackerService extends TrackerGrpc.TrackerImplBase {
  public static final int DEFAULT_LIST_LIMIT = 1000;

  private final TrackerCore core;
  private final LeaderForwarding writes;

  public TrackerService(TrackerCore core, LeaderForwarding writes) {
    this.core = core;
    this.writes = writes;
  }

  @Override
  public void createOpen(CreateOpenRequest request, StreamObserver<CreateOpenResponse> out) {
    writes.write(TrackerGrpc.getCreateOpenMethod(), request, out,
        () -> CompletableFuture.completedFuture(core.open(request)));
  }

  @Override
  public void createClose(CreateCloseRequest request, StreamObserver<FileInfo> out) {
    writes.write(TrackerGrpc.getCreateCloseMethod(), request, out, () ->
        core.close(List.of(request)).get(0).thenApply(Results::orThrow).thenApply(CommandResult::getFile));
  }

  @Override
  public void createOpenBatch(CreateOpenBatchRequest request, StreamObserver<CreateOpenBatchResponse> out) {
    writes.write(TrackerGrpc.getCreateOpenBatchMethod(), request, out, () -> {
      CreateOpenBatchResponse.Builder b = CreateOpenBatchResponse.newBuilder();
      for (CreateOpenRequest item : request.getItemsList()) {
        CreateOpenResult.Builder result = CreateOpenResult.newBuilder();
        try {
          result.setOpen(core.open(item));
        } catch (RuntimeException e) {
          result.setError(Calls.toMogul(e).toCallError());
        }
        b.addResults(result);
      }
      return CompletableFuture.completedFuture(b.build());
    });
  }

  @Override
  public void createCloseBatch(CreateCloseBatchRequest request, StreamObserver<CreateCloseBatchResponse> out) {
    writes.write(TrackerGrpc.getCreateCloseBatchMethod(), request, out, () -> {
      List<CompletableFuture<CommandResult>> results = core.close(request.getItemsList());
      return CompletableFuture.allOf(results.stream().map(f -> f.exceptionally(e -> null))
          .toArray(CompletableFuture[]::new)).thenApply(v -> {
            CreateCloseBatchResponse.Builder b = CreateCloseBatchResponse.newBuilder();
            for (CompletableFuture<CommandResult> f : results) {
              CreateCloseResult.Builder item = CreateCloseResult.newBuilder();
              try {
                CommandResult r = f.join();
                if (r.hasError()) {
                  item.setError(r.getError());
                } else {
                  item.setFile(r.getFile());
                }
              } catch (RuntimeException e) {
                item.setError(Calls.toMogul(e).toCallError());
              }
              b.addResults(item);
            }
            return b.build();
          });
    });
  }

  @Override
  public void getPaths(GetPathsRequest request, StreamObserver<GetPathsResponse> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view -> paths(view, request))), out);
  }

  @Override
  public void getPathsBatch(GetPathsBatchRequest request, StreamObserver<GetPathsBatchResponse> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view -> {
      GetPathsBatchResponse.Builder b = GetPathsBatchResponse.newBuilder();
      for (GetPathsRequest item : request.getItemsList()) {
        GetPathsResult.Builder result = GetPathsResult.newBuilder();
        try {
          result.setPaths(paths(view, item));
        } catch (RuntimeException e) {
          result.setError(Calls.toMogul(e).toCallError());
        }
        b.addResults(result);
      }
      return b.build();
    })), out);
  }

  private GetPathsResponse paths(MetaView view, GetPathsRequest request) {
    FileRecord file = lookup(view, request.getDomain(), request.getKey());
    FidRecord fid = view.fid(file.getFid());
    GetPathsResponse.Builder b = GetPathsResponse.newBuilder().setFid(file.getFid()).setLength(file.getLength())
        .setCrc32C(file.getCrc32C()).setContentType(file.getContentType()).setCreatedMs(file.getCreatedMs());
    if (fid != null) {
      for (int id : core.placement().orderForRead(view, fid.getDeviceIdsList())) {
        b.addLocations(Infos.location(view, id));
      }
    }
    return b.build();
  }

  @Override
  public void getFileInfo(FileKey request, StreamObserver<FileInfo> out) {
    Calls.reply(Calls.call(() -> core.readAfterBarrier(request.getRead(), view -> {
      FileRecord file = lookup(view, request.getDomain(), request.getKey());
      return Infos.file(view, request.getDomain(), request.getKey(), file, view.fid(file.getFid()));
    })), out);
  }

  private static FileRecord lookup(MetaView view, String domain, String key) {
    Rules.domain(view, domain);
    return Rules.file(view, domain, key);
  }

  @Override
  public void delete(FileKey request, StreamObserver<Empty> out) {
    writes.write(TrackerGrpc.getDeleteMethod(), request, out, () ->
        core.propose(ctx -> DeleteFile.prepare(request, ctx)).thenApply(r -> Empty.getDefaultInstance()));
  }

  @Override
  public void rename(RenameRequest request, StreamObserver<Empty> out) {
    writes.write(TrackerGrpc.getRenameMethod(), request, out, () ->
        core.propose(ctx -> RenameFile.prepare(request, ctx)).thenApply(r -> Empty.getDefaultInstance()));
  }

  @Override
  public void updateFileClass(UpdateFileClassRequest request, StreamObserver<FileInfo> out) {
    writes.write(TrackerGrpc.getUpdateFileClassMethod(), request, out, () ->
        core.propose(ctx -> UpdateFileClass.prepare(request, ctx)).thenApply(CommandResult::getFile));
  }

  @Override
  public void setAttributes(SetAttributesRequest request, StreamObserver<FileInfo> out) {
    writes.write(TrackerGrpc.getSetAttributesMethod(), request, out, () ->
        core.propose(ctx -> SetAttributes.prepare(request, ctx)).thenApply(CommandResult::getFile));
  }

  @Override
  public void listKeys(ListKeysRequest request, StreamObserver<ListKeysResponse> out) {
    Calls.reply(Calls.call(() -> {
      Names.checkDomain(request.getDomain());
      return core.readAfterBarrier(request.getRead(), view -> listKeys(view, request));
    }), out);
  }

  private static ListKeysResponse listKeys(MetaView view, ListKeysRequest request) {
    String domain = request.getDomain();
    Rules.domain(view, domain);
    int max = maxListLimit(view);
    // limit is a uint32 on the wire: read it unsigned, so a huge value means "as many as allowed".
    long asked = Integer.toUnsignedLong(request.getLimit());
    int limit = asked == 0 ? Math.min(DEFAULT_LIST_LIMIT, max) : (int) Math.min(asked, max);
    byte[] prefix = Keys.pair(domain, request.getPrefix());
    byte[] after = request.getAfter().isEmpty() ? null : Keys.pair(domain, request.getAfter());
    byte[] start = after != null && Arrays.compareUnsigned(after, prefix) > 0 ? after : prefix;
    ListKeysResponse.Builder b = ListKeysResponse.newBuilder();
    boolean[] more = {false};
    view.kv().scan(Table.FILES, prefix, start, (k, v) -> {
      if (after != null && Arrays.equals(k, after)) {
        return true;
      }
      if (b.getKeysCount() >= limit) {
        more[0] = true;
        return false;
      }
      FileRecord f = parse(v);
      b.addKeys(KeySummary.newBuilder().setKey(Keys.second(k)).setFid(f.getFid()).setLength(f.getLength())
          .setStorageClass(f.getStorageClass()).setCreatedMs(f.getCreatedMs()));
      return true;
    });
    if (more[0] && b.getKeysCount() > 0) {
      b.setNextAfter(b.getKeys(b.getKeysCount() - 1).getKey());
    }
    return b.build();
  }

  private static int maxListLimit(MetaView view) {
    KnownSettings.Definition d = KnownSettings.require("list_keys.max_limit");
    String stored = view.setting(d.name());
    long value = Long.parseLong(stored == null ? d.defaultValue() : stored);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, value));
  }

  private static FileRecord parse(byte[] raw) {
    try {
      return FileRecord.parseFrom(raw);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new StoreException("corrupt file record", e);
    }
  }

  @Override
  public void listFids(ListFidsRequest request, StreamObserver<ListFidsResponse> out) {
    Calls.reply(Calls.call(() -> {
      long asked = Integer.toUnsignedLong(request.getLimit());
      if (asked > 100_000) {
        throw new MogulException(ErrorReason.INVALID_ARGUMENT, "limit must be at most 100000");
      }
      if (request.getAfterFid() == -1L) {
        // after the largest fid there is nothing; +1 would wrap around to the start
        return CompletableFuture.completedFuture(ListFidsResponse.getDefaultInstance());
      }
      return core.readAfterBarrier(request.getRead(), view -> {
        int limit = asked == 0 ? DEFAULT_LIST_LIMIT : (int) asked;
        ListFidsResponse.Builder b = ListFidsResponse.newBuilder();
        boolean[] more = {false};
        view.kv().scan(Table.FIDS, new byte[0], Keys.u64(request.getAfterFid() + 1), (k, v) -> {
          if (b.getFidsCount() >= limit) {
            more[0] = true;
            return false;
          }
          FidRecord r;
          try {
            r = FidRecord.parseFrom(v);
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new StoreException("corrupt fid record", e);
          }
          b.addFids(FidSummary.newBuilder().setFid(r.getFid()).setDomain(r.getDomain()).setKey(r.getKey())
              .setStorageClass(r.getStorageClass()).setLength(r.getLength()).addAllDeviceIds(r.getDeviceIdsList()));
          return true;
        });
        if (more[0]) {
          b.setNextAfter(b.getFids(b.getFidsCount() - 1).getFid());
        }
        return b.build();
      });
    }), out);
  }
}
