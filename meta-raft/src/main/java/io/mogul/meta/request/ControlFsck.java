package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Table;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FsckAction;
import io.mogul.proto.meta.FsckControl;
import java.util.ArrayList;
import java.util.List;

/**
 * fsck start|stop|reset|clearlog. Start resumes a stopped pass where it was, or begins a
 * new pass (cursor at the first fid, counters at zero, log kept) when none is under way;
 * reset stops the check and forgets its position, counters and log; clearlog empties the
 * log and changes nothing else. Sequence numbers are never reused.
 */
public final class ControlFsck implements CommandHandler {
  public static Command prepare(FsckAction action, LeaderContext ctx) {
    if (action == FsckAction.FSCK_ACTION_UNSPECIFIED || action == FsckAction.UNRECOGNIZED) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "an fsck action is required");
    }
    return Command.newBuilder().setTimeMs(ctx.nowMs())
        .setFsckControl(FsckControl.newBuilder().setAction(action)).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    FsckStatus state = JobRecords.fsck(ctx.view());
    long now = command.getTimeMs();
    FsckStatus updated = switch (command.getFsckControl().getAction()) {
      case FSCK_START -> {
        if (state.getRunning()) {
          yield state;
        }
        if (state.getStartedMs() == 0 || state.getFinished()) {
          yield FsckStatus.newBuilder().setRunning(true).setStartedMs(now).setUpdatedMs(now)
              .setLogEntries(state.getLogEntries()).build();
        }
        yield state.toBuilder().setRunning(true).setUpdatedMs(now).build();
      }
      case FSCK_STOP -> state.toBuilder().setRunning(false).setUpdatedMs(now).build();
      case FSCK_RESET -> {
        deleteLog(ctx);
        yield FsckStatus.newBuilder().setUpdatedMs(now).build();
      }
      case FSCK_CLEAR_LOG -> {
        deleteLog(ctx);
        yield state.toBuilder().setLogEntries(0).setUpdatedMs(now).build();
      }
      default -> throw new MogulException(ErrorReason.INVALID_ARGUMENT, "an fsck action is required");
    };
    ctx.txn().put(Table.META, JobRecords.FSCK_STATE, updated);
    return CommandResult.newBuilder().setFsck(updated).build();
  }

  private static void deleteLog(ApplyContext ctx) {
    List<byte[]> keys = new ArrayList<>();
    ctx.view().kv().scan(Table.META, JobRecords.FSCK_LOG_PREFIX, null, (k, v) -> keys.add(k));
    keys.forEach(k -> ctx.txn().delete(Table.META, k));
  }
}
