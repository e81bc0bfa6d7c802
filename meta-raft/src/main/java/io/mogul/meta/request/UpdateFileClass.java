package io.mogul.meta.request;

import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.UpdateFileClassRequest;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;

/** update_class: moves a file to another class of its domain. */
public final class UpdateFileClass implements CommandHandler {
  public static Command prepare(UpdateFileClassRequest r, LeaderContext ctx) {
    check(r);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setUpdateFileClass(r).build();
  }

  private static void check(UpdateFileClassRequest r) {
    Names.checkDomain(r.getDomain());
    Names.checkKey(r.getKey());
    Names.checkClass(Rules.className(r.getStorageClass()));
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    UpdateFileClassRequest r = command.getUpdateFileClass();
    check(r);
    String className = Rules.className(r.getStorageClass());
    Rules.domain(ctx.view(), r.getDomain());
    FileRecord file = Rules.file(ctx.view(), r.getDomain(), r.getKey());
    Rules.storageClass(ctx.view(), r.getDomain(), className);
    FidRecord fid = ctx.view().fid(file.getFid());
    if (!file.getStorageClass().equals(className)) {
      FileCounts.adjust(ctx, r.getDomain(), file.getStorageClass(), file.getLength(), -1);
      FileCounts.adjust(ctx, r.getDomain(), className, file.getLength(), 1);
      file = file.toBuilder().setStorageClass(className).build();
      ctx.txn().put(Table.FILES, Keys.pair(r.getDomain(), r.getKey()), file);
      if (fid != null) {
        fid = fid.toBuilder().setStorageClass(className).build();
        ctx.txn().put(Table.FIDS, Keys.u64(file.getFid()), fid);
      }
    }
    return CommandResult.newBuilder().setFile(Infos.file(ctx.view(), r.getDomain(), r.getKey(), file, fid)).build();
  }
}
