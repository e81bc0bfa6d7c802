package io.mogul.meta.jobs;

import io.mogul.proto.BlobEntry;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * Which blobs of a device listing are orphans to delete. A blob stored less than the grace
 * period ago is left alone whatever the tracker knows of it: its upload may be open on a
 * leader that has not told this one, or its copy may be on its way to being recorded.
 */
final class OrphanBlobs {
  private OrphanBlobs() {}

  /**
   * Hands {@code collect} each fid of {@code page}, in listing order, stored at or before
   * {@code nowMs - graceMs} that {@code accounted} does not claim (a live location, an open
   * upload, a queued deletion, a copy in progress). Each blob is looked up just before it
   * is handed over, so the state it is judged on is as fresh as it can be.
   */
  static void collect(List<BlobEntry> page, long nowMs, long graceMs, LongPredicate accounted,
                      LongConsumer collect) {
    long newest = nowMs - graceMs;
    for (BlobEntry blob : page) {
      if (blob.getStoredMs() <= newest && !accounted.test(blob.getFid())) {
        collect.accept(blob.getFid());
      }
    }
  }
}
