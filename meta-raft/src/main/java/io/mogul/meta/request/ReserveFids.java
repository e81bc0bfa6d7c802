package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRange;

/**
 * Reserves the next range of fids for the leader that proposed it. Ranges are cut in log
 * order from the replicated high-water mark, so two leaders never hold the same fid.
 */
public final class ReserveFids implements CommandHandler {
  public static Command prepare(long count, long nowMs) {
    return Command.newBuilder().setTimeMs(nowMs)
        .setReserveFids(io.mogul.proto.meta.ReserveFids.newBuilder().setCount(count)).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    long count = command.getReserveFids().getCount();
    if (count <= 0 || count > (1L << 40)) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fid reservation of " + count);
    }
    long highWater = ctx.view().counter(Keys.FID_HIGH_WATER);
    ctx.txn().put(Table.META, Keys.FID_HIGH_WATER, Keys.u64(highWater + count));
    return CommandResult.newBuilder().setFidRange(FidRange.newBuilder().setFirst(highWater + 1).setCount(count)).build();
  }
}
