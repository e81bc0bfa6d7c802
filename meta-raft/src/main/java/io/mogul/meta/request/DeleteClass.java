package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ClassRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;

/** Deletes an unused class; the {@code default} class cannot be deleted. */
public final class DeleteClass implements CommandHandler {
  public static Command prepare(ClassRef request, LeaderContext ctx) {
    check(request);
    return Command.newBuilder().setTimeMs(ctx.nowMs()).setDeleteClass(request).build();
  }

  private static void check(ClassRef ref) {
    Names.checkDomain(ref.getDomain());
    Names.checkClass(ref.getName());
    if (ref.getName().equals(Rules.DEFAULT_CLASS)) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "the default class cannot be deleted");
    }
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    ClassRef ref = command.getDeleteClass();
    check(ref);
    Rules.domain(ctx.view(), ref.getDomain());
    ClassRecord c = Rules.storageClass(ctx.view(), ref.getDomain(), ref.getName());
    long files = ctx.view().tally(c).getFileCount();
    if (files > 0) {
      throw new MogulException(ErrorReason.CLASS_IN_USE,
          "class '" + c.getName() + "' is used by " + files + " files");
    }
    ctx.txn().delete(Table.CLASSES, Keys.pair(c.getDomain(), c.getName()));
    ctx.txn().delete(Table.COUNTS, Keys.classTally(c.getDomain(), c.getName()));
    return Results.EMPTY;
  }
}
