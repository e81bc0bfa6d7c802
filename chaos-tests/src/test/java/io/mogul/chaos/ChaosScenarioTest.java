package io.mogul.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.chaos.report.Report;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short chaos scenario of CI against a real process cluster, and the harness's
 * self-test against a cluster with a deliberately injected defect. The seed comes from
 * {@code -Dmogul.chaos.seed} (default fixed, printed) so a failing run can be replayed.
 */
class ChaosScenarioTest {
  private static long seed() {
    return Long.getLong("mogul.chaos.seed", 20261121L);
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void nothingAcknowledgedIsLostUnderKillsPausesPartitionsAndBitRot(@TempDir Path dir) throws Exception {
    Report report = new ChaosRunner(ChaosSettings.ci(dir, seed()), System.out).run();
    String why = "seed " + report.seed + "; report " + dir.resolve("chaos-report.json");
    assertTrue(report.faults.size() >= 5, "too few faults injected: " + report.faults.size() + "; " + why);
    assertTrue(report.operationsAcknowledged > 100, "too little traffic; " + why);
    assertEquals(List.of(), report.lost, why);
    assertEquals(List.of(), report.unreadable, why);
    assertEquals(List.of(), report.corrupt, why);
    assertEquals(List.of(), report.resurrected, why);
    assertEquals(List.of(), report.nonLinearizable, why);
    assertEquals("PASS", report.verdict(), why + "; problems " + report.problems);
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void theCheckerFlagsLossWhenDatanodesAcknowledgeWritesBeforeStoringThem(@TempDir Path dir) throws Exception {
    // The defective datanodes store each write 10 s after acknowledging it; the whole
    // cluster is crashed a few seconds in, so every put acknowledged since is lost.
    ChaosSettings defective = new ChaosSettings(dir, Duration.ofSeconds(20), seed(), 4, 4, 64 * 1024,
        List.of("restart-cluster"), Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(60),
        Duration.ofSeconds(20), 3, 2, true);
    Report report = new ChaosRunner(defective, System.out).run();
    assertTrue(report.faults.size() >= 1, "the harness ran its fault: " + report.faults.size());
    assertEquals("FAIL", report.verdict());
    assertFalse(report.lost.isEmpty() && report.unreadable.isEmpty(),
        "acknowledged writes lost in a crash must be reported; seed " + report.seed);
  }
}
