package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.ExpiredUploads;
import io.mogul.proto.meta.OpenUpload;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves open uploads whose expiry has passed (by the leader's clock in the command) to the
 * deletion queue: the expired uploads the leader held and lists in the command, unless
 * their fid became a file meanwhile, and those recorded by older log entries. Also forgets
 * remembered answers older than {@link RememberedRequests#REMEMBER_MS}.
 */
public final class ExpireUploads implements CommandHandler {
  public static final int DEFAULT_LIMIT = 10_000;

  public static Command prepare(long nowMs, List<OpenUpload> held) {
    return Command.newBuilder().setTimeMs(nowMs).setExpireUploads(io.mogul.proto.meta.ExpireUploads.newBuilder()
        .setLimit(DEFAULT_LIMIT).addAllHeld(held)).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    long now = command.getTimeMs();
    int limit = command.getExpireUploads().getLimit() == 0 ? DEFAULT_LIMIT : command.getExpireUploads().getLimit();
    List<OpenUpload> expired = new ArrayList<>();
    ctx.view().kv().scan(Table.UPLOADS, new byte[0], null, (k, v) -> {
      OpenUpload open = parse(v);
      if (open.getExpiresAtMs() <= now) {
        expired.add(open);
      }
      return expired.size() < limit;
    });
    for (OpenUpload open : expired) {
      ctx.txn().delete(Table.UPLOADS, Keys.u64(open.getFid()));
      Deletions.queue(ctx, open.getFid(), open.getDeviceIdsList(), now);
    }
    int count = expired.size();
    for (OpenUpload open : command.getExpireUploads().getHeldList()) {
      if (open.getExpiresAtMs() <= now && ctx.view().fid(open.getFid()) == null) {
        Deletions.queue(ctx, open.getFid(), open.getDeviceIdsList(), now);
        count++;
      }
    }
    int forgotten = RememberedRequests.forgetBefore(ctx.txn(), now - RememberedRequests.REMEMBER_MS, limit);
    return CommandResult.newBuilder().setExpired(ExpiredUploads.newBuilder().setCount(count)
        .setForgotten(forgotten)).build();
  }

  private static OpenUpload parse(byte[] raw) {
    try {
      return OpenUpload.parseFrom(raw);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new io.mogul.meta.store.StoreException("corrupt upload record", e);
    }
  }
}
