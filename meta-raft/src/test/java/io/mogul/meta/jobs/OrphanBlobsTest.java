package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mogul.proto.BlobEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrphanBlobsTest {
  private static final long NOW = 1_700_000_000_000L;
  private static final long GRACE = 60_000;

  private static BlobEntry blob(long fid, long ageMs) {
    return BlobEntry.newBuilder().setFid(fid).setLength(10).setStoredMs(NOW - ageMs).build();
  }

  private static List<Long> collected(List<BlobEntry> page, Set<Long> accounted) {
    List<Long> out = new ArrayList<>();
    OrphanBlobs.collect(page, NOW, GRACE, accounted::contains, out::add);
    return out;
  }

  @Test
  void anUnaccountedBlobYoungerThanTheGracePeriodIsKeptWhileAnOlderOneIsCollected() {
    List<BlobEntry> page = List.of(blob(1, GRACE - 1), blob(2, GRACE + 1), blob(3, 0), blob(4, 10 * GRACE));
    assertEquals(List.of(2L, 4L), collected(page, Set.of()));
  }

  @Test
  void aBlobExactlyAsOldAsTheGracePeriodIsCollected() {
    assertEquals(List.of(5L), collected(List.of(blob(5, GRACE)), Set.of()));
  }

  @Test
  void anOldBlobTheTrackerAccountsForIsKept() {
    List<BlobEntry> page = List.of(blob(1, 2 * GRACE), blob(2, 2 * GRACE));
    assertEquals(List.of(2L), collected(page, Set.of(1L)));
  }

  @Test
  void aYoungBlobIsNotEvenLookedUp() {
    // The age is judged first: a page of fresh uploads costs the tracker no reads.
    List<Long> looked = new ArrayList<>();
    OrphanBlobs.collect(List.of(blob(7, 1), blob(8, 2 * GRACE)), NOW, GRACE, fid -> looked.add(fid) && false,
        fid -> { });
    assertEquals(List.of(8L), looked);
  }
}
