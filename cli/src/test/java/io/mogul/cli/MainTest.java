package io.mogul.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Command-line behaviour that needs no cluster: usage errors, exit codes, settings. */
@Timeout(60)
class MainTest {
  @TempDir Path home;

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void missingArgumentsAreUsageErrors() {
    CliRun run = CliRun.run(home, Map.of(), new byte[0], "put", "default");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("Missing required parameter"), run.toString());
    assertEquals(1, run.stderr().lines().filter(l -> l.startsWith("mogul:")).count(), run.toString());
  }

  @Test
  void sandboxWithAnUnknownConfigKeyStopsBeforeStartingAnyProcess() {
    Path dir = home.resolve("sandbox");
    CliRun run = CliRun.run(home, Map.of(), new byte[0], "sandbox", "--dir", dir.toString(),
        "--tracker-set", "raft.batchMaxInFlight=1", "--tracker-set", "raft.noSuchKey=1");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("noSuchKey"), run.toString());
    assertFalse(Files.exists(dir.resolve("logs").resolve("t1.log")), "a tracker was started");
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertEquals(ExitCodes.USAGE, CliRun.run(home, Map.of(), new byte[0], "frobnicate").exitCode());
  }

  @Test
  void invalidKeyFailsBeforeContactingAnyTracker() throws IOException {
    Path file = Files.writeString(home.resolve("f"), "x");
    CliRun run = CliRun.run(home, Map.of(), new byte[0], "--trackers", "127.0.0.1:" + closedPort(),
        "put", "default", "k".repeat(1025), file.toString());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("INVALID_NAME"), run.toString());
  }

  @Test
  void missingLocalFileIsAUsageError() throws IOException {
    CliRun run = CliRun.run(home, Map.of(), new byte[0], "--trackers", "127.0.0.1:" + closedPort(),
        "put", "default", "k", home.resolve("missing").toString());
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("no such file"), run.toString());
  }

  @Test
  void noReachableTrackerExitsUnavailableWithOneLine() throws IOException {
    Files.writeString(home.resolve(".mogul.yaml"),
        "trackers: [\"127.0.0.1:" + closedPort() + "\"]\ncallTimeoutMs: 500\noperationTimeoutMs: 3000\nretryAttempts: 2\n");
    CliRun run = CliRun.run(home, Map.of(), new byte[0], "info", "default", "k");
    assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
    assertEquals(1, run.stderr().lines().count(), run.toString());
    assertFalse(run.stderr().contains("\tat "), run.toString());
  }

  @Test
  void verboseAddsTheStackTrace() throws IOException {
    Files.writeString(home.resolve(".mogul.yaml"), "callTimeoutMs: 500\nretryAttempts: 1\n");
    CliRun run = CliRun.run(home, Map.of("MOGUL_TRACKERS", "127.0.0.1:" + closedPort()), new byte[0],
        "--verbose", "info", "default", "k");
    assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("\tat "), run.toString());
  }

  @Test
  void unknownSettingInTheUserFileIsReported() throws IOException {
    Files.writeString(home.resolve(".mogul.yaml"), "trackerz: [a]\n");
    CliRun run = CliRun.run(home, Map.of(), new byte[0], "info", "default", "k");
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.stderr().contains("trackerz"), run.toString());
  }
}
