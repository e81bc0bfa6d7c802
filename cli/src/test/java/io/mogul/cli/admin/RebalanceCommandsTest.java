package io.mogul.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.cli.Output;
import io.mogul.proto.RebalanceOutcome;
import io.mogul.proto.RebalanceStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@code mogul admin rebalance status} says for each way a run can end. */
class RebalanceCommandsTest {
  private static String printed(RebalanceStatus s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RebalanceCommands.print(new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), false), s);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void nothingMovableSaysSoWithTheReasonAndNeverBalanced() {
    RebalanceStatus s = RebalanceStatus.newBuilder().setStartedMs(1_000).setStoppedMs(2_000).setMovedFiles(3)
        .setOutcome(RebalanceOutcome.REBALANCE_NOTHING_MOVABLE).setDetail("10 already have a copy on the target")
        .build();
    String out = printed(s);
    assertTrue(out.contains("stopped: nothing movable (spread not reached)"), out);
    assertTrue(out.contains("10 already have a copy on the target"), out);
    assertFalse(out.contains("balanced"), out);
  }

  @Test
  void balancedSaysTheSpreadWasReached() {
    RebalanceStatus s = RebalanceStatus.newBuilder().setStartedMs(1_000).setStoppedMs(2_000).setFinishedMs(2_000)
        .setOutcome(RebalanceOutcome.REBALANCE_BALANCED).setDetail("usage within the spread").build();
    assertTrue(printed(s).contains("balanced (spread reached)"), printed(s));
  }

  @Test
  void everyOtherStateIsNamedPlainly() {
    assertEquals("running", RebalanceCommands.state(RebalanceStatus.newBuilder().setRunning(true).build()));
    assertEquals("never run", RebalanceCommands.state(RebalanceStatus.getDefaultInstance()));
    assertEquals("stopped by an administrator", RebalanceCommands.state(RebalanceStatus.newBuilder()
        .setStartedMs(1).setOutcome(RebalanceOutcome.REBALANCE_STOPPED_BY_ADMIN).build()));
    assertEquals("stopped", RebalanceCommands.state(RebalanceStatus.newBuilder().setStartedMs(1).build()),
        "stopped before outcomes were recorded, spread not reached");
  }
}
