package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.proto.Empty;
import io.mogul.proto.ListRequest;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.RebalanceTestRequest;
import io.mogul.proto.RebalanceTestResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code mogul admin rebalance ...}: moving files from fuller to emptier devices. */
@Command(name = "rebalance", description = "Start, stop and watch rebalancing of files across devices.",
    subcommands = {RebalanceCommands.Start.class, RebalanceCommands.Stop.class, RebalanceCommands.Status.class,
        RebalanceCommands.Test.class})
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

  @Command(name = "test", description = "Show what rebalance would do if started now, without moving anything:"
      + " every writable device's usage and the first moves.")
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin GlobalOptions global;
    @Option(names = {"-n", "--moves"}, description = "Most moves to show (0: as many as one round of a run makes).")
    int moves;

    @Override
    public Integer call() {
      if (moves < 0) {
        throw new ParameterException(spec.commandLine(), "--moves must not be negative: " + moves);
      }
      RebalanceTestResponse r = AdminCommand.call(global, a -> a.rebalanceTest(
          RebalanceTestRequest.newBuilder().setMaxMoves(moves).build()));
      Output out = global.output();
      if (out.json()) {
        out.printJson(ProtoJson.toMap(r));
        return ExitCodes.OK;
      }
      out.stream().println((r.getBalanced() ? "balanced: " : r.getMovesCount() > 0 ? "would move: " : "nothing to move: ")
          + r.getDetail());
      out.stream().println();
      out.table(List.of("DEVICE", "HOST", "STORED", "CAPACITY", "USAGE"), r.getDevicesList().stream().<List<?>>map(d ->
          List.of(d.getDeviceId(), d.getHostId(), Output.bytes(d.getStoredBytes()), Output.bytes(d.getCapacityBytes()),
              percent((double) d.getStoredBytes() / d.getCapacityBytes()))).toList());
      out.stream().println("mean usage " + percent(r.getMeanUsage()) + ", spread allowed " + r.getSpreadPercent() + "%");
      if (r.getMovesCount() > 0) {
        out.stream().println();
        out.table(List.of("FID", "LENGTH", "FROM", "TO"), r.getMovesList().stream().<List<?>>map(m ->
            List.of(Long.toUnsignedString(m.getFid()), Output.bytes(m.getLength()), m.getFromDevice(),
                m.getToDevice())).toList());
      }
      return ExitCodes.OK;
    }

    private static String percent(double usage) {
      return String.format(Locale.ROOT, "%.2f%%", usage * 100);
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
