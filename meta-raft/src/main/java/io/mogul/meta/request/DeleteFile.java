package io.mogul.meta.request;

import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.FileKey;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FileRecord;

/** delete: removes the key and queues its fid's blobs for deletion. */
public final class DeleteFile implements CommandHandler {
  public static Command prepare(FileKey r, LeaderContext ctx) {
    Names.checkDomain(r.getDomain());
    Names.checkKey(r.getKey());
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setDeleteFile(r.toBuilder().clearRead()).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    FileKey r = command.getDeleteFile();
    Rules.domain(ctx.view(), r.getDomain());
    FileRecord file = Rules.file(ctx.view(), r.getDomain(), r.getKey());
    CreateClose.retire(ctx, file, ctx.view().fid(file.getFid()), command.getTimeMs());
    FileCounts.adjust(ctx, r.getDomain(), file.getStorageClass(), file.getLength(), -1);
    ctx.txn().delete(Table.FILES, Keys.pair(r.getDomain(), r.getKey()));
    return Results.EMPTY;
  }
}
