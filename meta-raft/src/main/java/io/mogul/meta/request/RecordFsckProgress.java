package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FsckLogEntry;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FsckProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Commits one fsck batch: moves the cursor, adds the counters and appends the findings to
 * the log, all at once. A batch that does not continue the running pass exactly where it
 * stands (a stale leader's, or one repeated after a leader change) is refused, so no fid is
 * counted twice or skipped.
 */
public final class RecordFsckProgress implements CommandHandler {
  private static final Set<String> ACTIONS = Set.of("REPL", "DROP");

  public static Command prepare(FsckProgress progress, long nowMs) {
    return Command.newBuilder().setTimeMs(nowMs).setFsckProgress(progress).build();
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    FsckProgress p = command.getFsckProgress();
    FsckStatus state = JobRecords.fsck(ctx.view());
    if (!state.getRunning() || state.getStartedMs() != p.getPassStartedMs() || state.getCursor() != p.getFromCursor()) {
      throw new MogulException(ErrorReason.INVALID_STATE_CHANGE, "fsck batch from "
          + Long.toUnsignedString(p.getFromCursor()) + " does not continue the running pass (cursor "
          + Long.toUnsignedString(state.getCursor()) + ", running " + state.getRunning() + ")");
    }
    if (Long.compareUnsigned(p.getToCursor(), p.getFromCursor()) < 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fsck cursor cannot move backwards");
    }
    long seq = ctx.view().counter(JobRecords.FSCK_NEXT_SEQ);
    long problems = 0;
    for (FsckLogEntry finding : p.getFindingsList()) {
      seq++;
      ctx.txn().put(Table.META, JobRecords.fsckLogKey(seq),
          finding.toBuilder().setSeq(seq).setTimeMs(command.getTimeMs()).build());
      if (!ACTIONS.contains(finding.getCode())) {
        problems++;
      }
    }
    ctx.txn().put(Table.META, JobRecords.FSCK_NEXT_SEQ, Keys.u64(seq));
    long entries = state.getLogEntries() + p.getFindingsCount();
    if (entries > JobRecords.MAX_FSCK_LOG) {
      entries -= trimOldest(ctx, entries - JobRecords.MAX_FSCK_LOG);
    }
    FsckStatus.Builder updated = state.toBuilder().setCursor(p.getToCursor()).setUpdatedMs(command.getTimeMs())
        .setFidsChecked(state.getFidsChecked() + p.getFidsChecked())
        .setCopiesChecked(state.getCopiesChecked() + p.getCopiesChecked())
        .setProblems(state.getProblems() + problems).setRepairs(state.getRepairs() + p.getRepairs())
        .setLogEntries(entries);
    if (p.getFinished()) {
      updated.setRunning(false).setFinished(true);
    }
    ctx.txn().put(Table.META, JobRecords.FSCK_STATE, updated.build());
    return CommandResult.newBuilder().setFsck(updated.build()).build();
  }

  private static long trimOldest(ApplyContext ctx, long count) {
    List<byte[]> oldest = new ArrayList<>();
    ctx.view().kv().scan(Table.META, JobRecords.FSCK_LOG_PREFIX, null, (k, v) -> {
      oldest.add(k);
      return oldest.size() < count;
    });
    oldest.forEach(k -> ctx.txn().delete(Table.META, k));
    return oldest.size();
  }
}
