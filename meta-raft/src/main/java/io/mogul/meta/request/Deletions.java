package io.mogul.meta.request;

import io.mogul.meta.store.Keys;
import io.mogul.meta.store.Table;
import io.mogul.proto.meta.DeletionRecord;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The deletion queue, fid -> devices whose blob of that fid is to be removed. Every
 * command that makes a blob unneeded (a key deleted or overwritten, an upload expired, a
 * location dropped or moved away) queues it here in the same batch, so the delete GC
 * retries it until the datanode confirms, whatever happens to the tracker that dropped it.
 * A device stays queued for a fid until its blob is confirmed gone; while it is, no new
 * copy of that fid may be recorded on it (the GC would delete the new copy).
 */
final class Deletions {
  private Deletions() {}

  /**
   * Adds {@code devices} to the fid's queued deletion, creating it if needed. The entry's
   * time becomes {@code nowMs}, so the deletion delay counts from the latest addition.
   */
  static void queue(ApplyContext ctx, long fid, Collection<Integer> devices, long nowMs) {
    DeletionRecord existing = ctx.view().deletion(fid);
    Set<Integer> all = new LinkedHashSet<>();
    if (existing != null) {
      all.addAll(existing.getDeviceIdsList());
    }
    all.addAll(devices);
    ctx.txn().put(Table.DELETIONS, Keys.u64(fid),
        DeletionRecord.newBuilder().setFid(fid).addAllDeviceIds(all).setQueuedMs(nowMs).build());
  }

  /** Whether the fid's blob on the device is queued for deletion and not yet confirmed gone. */
  static boolean queued(ApplyContext ctx, long fid, int deviceId) {
    DeletionRecord existing = ctx.view().deletion(fid);
    return existing != null && existing.getDeviceIdsList().contains(deviceId);
  }
}
