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
    fields.put("state", s.getRunning() ? "running" : s.getFinishedMs() != 0 ? "done (spread reached)" : "stopped");
    fields.put("started", s.getStartedMs() == 0 ? "-" : Instant.ofEpochMilli(s.getStartedMs()).toString());
    fields.put("files moved", s.getMovedFiles());
    fields.put("bytes moved", s.getMovedBytes() + " (" + Output.bytes(s.getMovedBytes()) + ")");
    fields.put("spread reached", s.getFinishedMs() == 0 ? "-" : Instant.ofEpochMilli(s.getFinishedMs()).toString());
    out.fields(fields);
  }

  @Command(name = "start", description = "Start moving files until usage is within rebalance.spread_percent.")
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

  @Command(name = "status", description = "Show rebalance progress.")
  static final class Status implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.getRebalanceStatus(ListRequest.getDefaultInstance())));
      return ExitCodes.OK;
    }
  }
}
