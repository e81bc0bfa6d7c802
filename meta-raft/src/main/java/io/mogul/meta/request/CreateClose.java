package io.mogul.meta.request;

import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.meta.store.Keys;
import io.mogul.meta.store.MetaView;
import io.mogul.meta.store.Table;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.Command;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRecord;
import io.mogul.proto.meta.FileRecord;
import io.mogul.proto.meta.OpenUpload;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * create_close: binds domain+key to the fid of an open upload, atomically replacing an
 * older version (whose fid and locations go to the deletion queue). The leader step puts
 * the upload it holds for the fid into the command; uploads recorded by older log entries
 * are found in the state.
 *
 * <p>A repeated close is answered as the first one was: from the file while the key still
 * holds the fid, and for {@link RememberedRequests#REMEMBER_MS} after its version was
 * replaced or deleted from the answer remembered then. UPLOAD_EXPIRED therefore means the
 * fid was never committed, so a client may write the file again under a new upload.
 */
public final class CreateClose implements CommandHandler {
  public static Command prepare(CreateCloseRequest r, LeaderContext ctx) {
    check(r);
    Command.Builder command = Command.newBuilder().setTimeMs(ctx.nowMs()).setCreateClose(r);
    OpenUpload held = ctx.heldUpload(r.getFid());
    if (held != null) {
      command.setUpload(held);
    }
    return command.build();
  }

  static void check(CreateCloseRequest r) {
    Names.checkDomain(r.getDomain());
    Names.checkKey(r.getKey());
    if (r.getFid() == 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "fid is required");
    }
    if (r.getLength() < 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "length must not be negative");
    }
    if (r.getDeviceIdsCount() == 0) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "at least one device must hold the blob");
    }
    Rules.checkAttributes(r.getAttributesMap());
    Rules.checkContentType(r.getContentType());
  }

  @Override
  public CommandResult apply(ApplyContext ctx, Command command) {
    CreateCloseRequest r = command.getCreateClose();
    check(r);
    MetaView view = ctx.view();
    FileRecord current = view.file(r.getDomain(), r.getKey());
    if (current != null && current.getFid() == r.getFid()) {
      return ctx.answering() ? fileResult(view, r.getDomain(), r.getKey(), current) : Results.EMPTY;
    }
    CommandResult earlier = RememberedRequests.recall(ctx.txn(), closedId(r.getFid()));
    if (earlier != null && earlier.getFile().getDomain().equals(r.getDomain())
        && earlier.getFile().getKey().equals(r.getKey())) {
      return earlier;
    }
    OpenUpload open = command.hasUpload() ? heldUpload(ctx, command) : recordedUpload(view, r.getFid());
    if (!open.getDomain().equals(r.getDomain()) || !open.getKey().equals(r.getKey())) {
      throw new MogulException(ErrorReason.FID_MISMATCH, "fid " + Long.toUnsignedString(r.getFid())
          + " was opened for '" + open.getDomain() + "/" + open.getKey() + "'");
    }
    Rules.domain(view, r.getDomain());
    ClassRecord cls = Rules.storageClass(view, r.getDomain(), open.getStorageClass());
    List<Integer> devices = new ArrayList<>(new LinkedHashSet<>(r.getDeviceIdsList()));
    if (devices.size() < cls.getMindevcount()) {
      // A write that ended short: re-replication must look for it.
      RepairEpoch.bump(ctx);
    }
    for (int id : devices) {
      Rules.device(view, id);
    }
    if (current != null) {
      FidRecord oldFid = view.fid(current.getFid());
      retire(ctx, current, oldFid, command.getTimeMs());
      FileCounts.adjust(ctx, r.getDomain(), current.getStorageClass(), current.getLength(), -1);
    }
    FileRecord file = FileRecord.newBuilder().setFid(r.getFid()).setStorageClass(open.getStorageClass())
        .setLength(r.getLength()).setCrc32C(r.getCrc32C()).setCreatedMs(command.getTimeMs())
        .setContentType(r.getContentType()).putAllAttributes(r.getAttributesMap()).build();
    FidRecord fid = FidRecord.newBuilder().setFid(r.getFid()).setDomain(r.getDomain()).setKey(r.getKey())
        .setStorageClass(open.getStorageClass()).setLength(r.getLength()).addAllDeviceIds(devices).build();
    if (!command.hasUpload()) {
      ctx.txn().delete(Table.UPLOADS, Keys.u64(r.getFid()));
    }
    ctx.txn().put(Table.FILES, Keys.pair(r.getDomain(), r.getKey()), file);
    ctx.txn().put(Table.FIDS, Keys.u64(r.getFid()), fid);
    FileCounts.adjust(ctx, r.getDomain(), open.getStorageClass(), r.getLength(), 1);
    FileCounts.adjustDevices(ctx, devices, 1);
    if (!ctx.answering()) {
      return Results.EMPTY;
    }
    return CommandResult.newBuilder().setFile(Infos.file(view, r.getDomain(), r.getKey(), file, fid)).build();
  }

  /** The upload the leader held, if it may still be closed at the command's time. */
  private static OpenUpload heldUpload(ApplyContext ctx, Command command) {
    OpenUpload open = command.getUpload();
    long fid = command.getCreateClose().getFid();
    String fidText = Long.toUnsignedString(fid);
    if (open.getFid() != fid) {
      throw new MogulException(ErrorReason.INTERNAL, "close of fid " + fidText + " carries the upload of fid "
          + Long.toUnsignedString(open.getFid()));
    }
    long highWater = ctx.view().counter(Keys.FID_HIGH_WATER);
    if (Long.compareUnsigned(fid, highWater) > 0) {
      throw new MogulException(ErrorReason.INTERNAL, "fid " + fidText + " was never reserved");
    }
    FidRecord other = ctx.view().fid(fid);
    if (other != null) {
      throw new MogulException(ErrorReason.FID_MISMATCH, "fid " + fidText + " belongs to '"
          + other.getDomain() + "/" + other.getKey() + "'");
    }
    if (command.getTimeMs() > open.getExpiresAtMs() || ctx.view().deletion(fid) != null) {
      // Expired by the clock in the command, or already handed to the deletion queue by an
      // expiry that was ordered first: its blobs are going, so it cannot become a file.
      throw new MogulException(ErrorReason.UPLOAD_EXPIRED, "the upload of fid " + fidText + " expired");
    }
    return open;
  }

  /** An upload recorded by a create_open of an older version's log entry. */
  private static OpenUpload recordedUpload(MetaView view, long fid) {
    OpenUpload open = view.upload(fid);
    if (open != null) {
      return open;
    }
    String fidText = Long.toUnsignedString(fid);
    FidRecord other = view.fid(fid);
    if (other != null) {
      throw new MogulException(ErrorReason.FID_MISMATCH, "fid " + fidText + " belongs to '"
          + other.getDomain() + "/" + other.getKey() + "'");
    }
    throw new MogulException(ErrorReason.UPLOAD_EXPIRED, "no open upload for fid " + fidText
        + " (it expired, or another tracker issued it before a leader change)");
  }

  private static String closedId(long fid) {
    return "close/" + Long.toUnsignedString(fid);
  }

  private static CommandResult fileResult(MetaView view, String domain, String key, FileRecord f) {
    return CommandResult.newBuilder().setFile(Infos.file(view, domain, key, f, view.fid(f.getFid()))).build();
  }

  /**
   * Moves a file's fid and its locations to the deletion queue. A version younger than
   * {@link RememberedRequests#REMEMBER_MS} leaves its close's answer behind, for a client
   * still retrying that close.
   */
  static void retire(ApplyContext ctx, FileRecord file, FidRecord fid, long nowMs) {
    if (fid != null && nowMs - file.getCreatedMs() < RememberedRequests.REMEMBER_MS) {
      RememberedRequests.remember(ctx.txn(), closedId(file.getFid()), file.getCreatedMs(),
          fileResult(ctx.view(), fid.getDomain(), fid.getKey(), file));
    }
    List<Integer> devices = fid == null ? List.of() : fid.getDeviceIdsList();
    FileCounts.adjustDevices(ctx, devices, -1);
    ctx.txn().delete(Table.FIDS, Keys.u64(file.getFid()));
    Deletions.queue(ctx, file.getFid(), devices, nowMs);
  }
}
