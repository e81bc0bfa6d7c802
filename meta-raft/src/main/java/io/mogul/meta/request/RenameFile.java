package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;

/** rename: moves a file to a new key of the same domain; fails with KEY_EXISTS if the target exists. */
public final class RenameFile implements CommandHandler {
  public static Command prepare(RenameRequest r, LeaderContext ctx) {
    check(r);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setRename(r).build();
  }

  private static void check(RenameRequest r) {
    Names.checkDomain(r.getDomain());
    Names.checkKey(r.getFromKey());
    Names.checkKey(r.getToKey());
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    RenameRequest r = command.getRename();
    check(r);
    Rules.domain(ctx.view(), r.getDomain());
    FileRecord file = Rules.file(ctx.view(), r.getDomain(), r.getFromKey());
    if (ctx.view().file(r.getDomain(), r.getToKey()) != null) {
      throw new MogulException(ErrorReason.KEY_EXISTS, "key '" + r.getToKey() + "' exists");
    }
    ctx.txn().delete(Table.FILES, Keys.pair(r.getDomain(), r.getFromKey()));
    ctx.txn().put(Table.FILES, Keys.pair(r.getDomain(), r.getToKey()), file);
    FidRecord fid = ctx.view().fid(file.getFid());
    if (fid != null) {
      ctx.txn().put(Table.FIDS, Keys.u64(file.getFid()), fid.toBuilder().setKey(r.getToKey()).build());
    }
    return Results.EMPTY;
  }
}
