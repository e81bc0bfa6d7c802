package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.MetaStore;
import io.mogul.meta.store.StoreTxn;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.AppliedPosition;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.LogEntry;
import io.mogul.proto.meta.LogEntryResult;
import java.util.EnumMap;
import java.util.Map;

/**
 * Applies log entries to the store: each command through its operation's handler, all in
 * one write batch together with the entry's log position. A command that fails leaves no
 * trace; its error is its result.
 */
public final class CommandApplier {
  private final MetaStore store;
  private final Map<Command.OpCase, CommandHandler> handlers = new EnumMap<>(Command.OpCase.class);

  public CommandApplier(MetaStore store) {
    this.store = store;
    handlers.put(Command.OpCase.CREATE_DOMAIN, new CreateDomain());
    handlers.put(Command.OpCase.DELETE_DOMAIN, new DeleteDomain());
    handlers.put(Command.OpCase.CREATE_CLASS, new CreateClass());
    handlers.put(Command.OpCase.UPDATE_CLASS, new UpdateClass());
    handlers.put(Command.OpCase.DELETE_CLASS, new DeleteClass());
    handlers.put(Command.OpCase.CREATE_HOST, new CreateHost());
    handlers.put(Command.OpCase.UPDATE_HOST, new UpdateHost());
    handlers.put(Command.OpCase.DELETE_HOST, new DeleteHost());
    handlers.put(Command.OpCase.CREATE_DEVICE, new CreateDevice());
    handlers.put(Command.OpCase.SET_DEVICE_STATE, new SetDeviceState());
    handlers.put(Command.OpCase.SET_DEVICE_WEIGHT, new SetDeviceWeight());
    handlers.put(Command.OpCase.SET_SETTING, new SetSetting());
    handlers.put(Command.OpCase.CREATE_OPEN, new CreateOpen());
    handlers.put(Command.OpCase.CREATE_CLOSE, new CreateClose());
    handlers.put(Command.OpCase.DELETE_FILE, new DeleteFile());
    handlers.put(Command.OpCase.RENAME, new RenameFile());
    handlers.put(Command.OpCase.UPDATE_FILE_CLASS, new UpdateFileClass());
    handlers.put(Command.OpCase.SET_ATTRIBUTES, new SetAttributes());
    handlers.put(Command.OpCase.RESERVE_FIDS, new ReserveFids());
    handlers.put(Command.OpCase.EXPIRE_UPLOADS, new ExpireUploads());
    handlers.put(Command.OpCase.REGISTER_HOST, new RegisterHost());
    handlers.put(Command.OpCase.DEVICE_USAGE, new RecordDeviceUsage());
    handlers.put(Command.OpCase.ADD_LOCATION, new AddFileLocation());
    handlers.put(Command.OpCase.REMOVE_LOCATION, new RemoveFileLocation());
    handlers.put(Command.OpCase.CLEAR_DELETION, new FinishDeletion());
    handlers.put(Command.OpCase.FSCK_CONTROL, new ControlFsck());
    handlers.put(Command.OpCase.FSCK_PROGRESS, new RecordFsckProgress());
    handlers.put(Command.OpCase.REBALANCE_CONTROL, new ControlRebalance());
  }

  public MetaStore store() {
    return store;
  }

  /** Applies one log entry at {@code position}; returns the results in command order. */
  public LogEntryResult apply(LogEntry entry, AppliedPosition position) {
    return apply(entry, position, true);
  }

  /**
   * As {@link #apply(LogEntry, AppliedPosition)}; when not {@code answering} (a replica
   * whose results nobody reads) successes may come back without their details.
   */
  public LogEntryResult apply(LogEntry entry, AppliedPosition position, boolean answering) {
    LogEntryResult.Builder results = LogEntryResult.newBuilder();
    try (StoreTxn txn = store.begin()) {
      ApplyContext ctx = new ApplyContext(txn, answering);
      for (Command command : entry.getCommandsList()) {
        results.addResults(applyOne(ctx, command));
      }
      txn.commit(position);
    }
    return results.build();
  }

  private CommandResult applyOne(ApplyContext ctx, Command command) {
    CommandHandler handler = handlers.get(command.getOpCase());
    if (handler == null) {
      return Results.error(new MogulException(ErrorReason.INTERNAL, "unknown command " + command.getOpCase()));
    }
    String requestId = RememberedRequests.idOf(command);
    if (!requestId.isEmpty()) {
      CommandResult first = RememberedRequests.recall(ctx.txn(), requestId);
      if (first != null) {
        return first;
      }
    }
    CommandResult result = applyAlone(ctx, handler, command, requestId);
    // Only successes are remembered: a failed command leaves no trace, and its retry is
    // judged afresh like any new call.
    if (!requestId.isEmpty() && !result.hasError()) {
      RememberedRequests.remember(ctx.txn(), requestId, command.getTimeMs(), result);
    }
    return result;
  }

  /** Applies one command between savepoints, so a failure leaves no trace. */
  private static CommandResult applyAlone(ApplyContext ctx, CommandHandler handler, Command command, String requestId) {
    ctx.txn().mark();
    try {
      if (!requestId.isEmpty()) {
        RememberedRequests.check(requestId);
      }
      CommandResult result = handler.apply(ctx, command);
      RepairEpoch.afterApplied(ctx, command);
      ctx.txn().release();
      return result;
    } catch (MogulException e) {
      ctx.txn().rollback();
      return Results.error(e);
    }
  }
}
