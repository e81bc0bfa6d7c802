package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.proto.Empty;
import io.mogul.proto.ListRequest;
import io.mogul.proto.RebalanceStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mogul admin rebalance ...}: moving files from fuller to emptier devices. */
@Command(name = "rebalance", description = "Start, stop and watch rebalancing of files across devices.",
    subcommands = {RebalanceCommands.Start.class, RebalanceCommands.Stop.class, RebalanceCommands.Status.class})
final class RebalanceCommands {
  private RebalanceCommands() {}

  static void print(Output out, RebalanceStatus s) {
    if (out.json()) {
      out.printJson(ProtoJson.toMap(s));
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("state", state(s));
    fields.put("started", time(s.getStartedMs()));
    fields.put("files moved", s.getMovedFiles());
    fields.put("bytes moved", s.getMovedBytes() + " (" + Output.bytes(s.getMovedBytes()) + ")");
    fields.put("spread reached", time(s.getFinishedMs()));
    fields.put("ended", time(s.getStoppedMs()));
    fields.put("detail", s.getDetail().isEmpty() ? "-" : s.getDetail());
    out.fields(fields);
  }

  /** One line saying whether it runs and how the last run ended; "balanced" only when the spread was reached. */
  static String state(RebalanceStatus s) {
    if (s.getRunning()) {
      return "running";
    }
    return switch (s.getOutcome()) {
      case REBALANCE_BALANCED -> "balanced (spread reached)";
      case REBALANCE_NOTHING_MOVABLE -> "stopped: nothing movable (spread not reached)";
      case REBALANCE_STOPPED_BY_ADMIN -> "stopped by an administrator";
      // Ended before outcomes were recorded, or never started.
      default -> s.getFinishedMs() != 0 ? "stopped (spread reached)" : s.getStartedMs() == 0 ? "never run" : "stopped";
    };
  }

  private static String time(long ms) {
    return ms == 0 ? "-" : Instant.ofEpochMilli(ms).toString();
  }

  @Command(name = "start", description = "Start moving files from fuller to emptier devices until every writable"
      + " device's usage (bytes stored over capacity) is within rebalance.spread_percent percent of the mean.")
  static final class Start implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.rebalanceStart(Empty.getDefaultInstance())));
      return ExitCodes.OK;
    }
  }

  @Command(name = "stop", description = "Stop moving files.")
  static final class Stop implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.rebalanceStop(Empty.getDefaultInstance())));
      return ExitCodes.OK;
    }
  }

  @Command(name = "status", description = "Show rebalance progress and how the last run ended.")
  static final class Status implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.getRebalanceStatus(ListRequest.getDefaultInstance())));
      return ExitCodes.OK;
    }
  }
}
