package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.RebalanceStatus;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RebalancePolicyTest {
  private static RebalanceStatus moved(long files, long bytes) {
    return RebalanceStatus.newBuilder().setRunning(true).setMovedFiles(files).setMovedBytes(bytes).build();
  }

  @Test
  void aRunEndsOnceItMovedTheFilesOrTheBytesTheLimitAllows() {
    RebalancePolicy files = new RebalancePolicy(Set.of(), Set.of(), 3, 0);
    assertNull(files.limitReached(moved(2, 1L << 40)));
    assertEquals("moved 3 files, rebalance.limit_files is 3", files.limitReached(moved(3, 10)));
    RebalancePolicy bytes = new RebalancePolicy(Set.of(), Set.of(), 0, 1000);
    assertNull(bytes.limitReached(moved(1_000_000, 999)));
    assertEquals("moved 1500 bytes, rebalance.limit_bytes is 1000", bytes.limitReached(moved(1, 1500)));
    assertNull(RebalancePolicy.ANY.limitReached(moved(Long.MAX_VALUE, Long.MAX_VALUE)), "0 is no limit");
  }

  @Test
  void emptyDeviceSetsAllowEveryDevice() {
    assertTrue(RebalancePolicy.ANY.allowsFrom(7) && RebalancePolicy.ANY.allowsTo(7));
    assertEquals("", RebalancePolicy.ANY.describe());
    RebalancePolicy p = new RebalancePolicy(Set.of(1), Set.of(2, 3), 0, 0);
    assertTrue(p.allowsFrom(1) && p.allowsTo(2) && p.allowsTo(3));
    assertFalse(p.allowsFrom(2) || p.allowsTo(1));
  }
}
