package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.common.MogulException;
import io.mogul.meta.request.KnownSettings;
import io.mogul.proto.Empty;
import io.mogul.proto.ListRequest;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.RebalanceTestRequest;
import io.mogul.proto.RebalanceTestResponse;
import io.mogul.proto.Setting;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
        RebalanceCommands.Test.class, RebalanceCommands.Policy.class})
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
      case REBALANCE_LIMIT_REACHED -> "stopped: limit reached (rebalance.limit_files or limit_bytes)";
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
      out.stream().println("mean usage " + percent(r.getMeanUsage()) + ", spread allowed " + r.getSpreadPercent() + "%"
          + ", from devices " + (r.getFromDevicesCount() == 0 ? "any" : r.getFromDevicesList())
          + ", to devices " + (r.getToDevicesCount() == 0 ? "any" : r.getToDevicesList()));
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

  /** The settings that make up the rebalance policy, in the order they are shown. */
  static final List<String> POLICY_SETTINGS = List.of("rebalance.from_devices", "rebalance.to_devices",
      "rebalance.limit_files", "rebalance.limit_bytes");

  @Command(name = "policy", description = "Show or set which devices rebalance moves files off and onto, and after how"
      + " many files or bytes a started run ends (the rebalance.* settings; mogadm rebalance policy).")
  static final class Policy implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin GlobalOptions global;
    @Option(names = "--from-devices", paramLabel = "IDS", description = "Device ids files may leave, comma-separated"
        + " (empty: every writable device).") String from;
    @Option(names = "--to-devices", paramLabel = "IDS", description = "Device ids files may reach, comma-separated"
        + " (empty: every writable device).") String to;
    @Option(names = "--limit-files", paramLabel = "N", description = "End a started run after this many files"
        + " (0: no limit).") String limitFiles;
    @Option(names = "--limit-bytes", paramLabel = "N", description = "End a started run after this many bytes"
        + " (0: no limit).") String limitBytes;
    @Option(names = "--clear", description = "Back to every device and no limit.") boolean clear;

    @Override
    public Integer call() {
      Map<String, String> changes = new LinkedHashMap<>();
      String[] given = {from, to, limitFiles, limitBytes};
      for (int i = 0; i < given.length; i++) {
        if (given[i] != null) {
          changes.put(POLICY_SETTINGS.get(i), given[i]);
        }
      }
      if (clear) {
        if (!changes.isEmpty()) {
          throw new ParameterException(spec.commandLine(), "--clear cannot be combined with other policy options");
        }
        POLICY_SETTINGS.forEach(n -> changes.put(n, KnownSettings.require(n).defaultValue()));
      }
      // Every value is checked before any is set, so bad input changes nothing.
      Set<Integer> listed = new TreeSet<>();
      for (Map.Entry<String, String> c : changes.entrySet()) {
        KnownSettings.Definition d = KnownSettings.require(c.getKey());
        try {
          String canonical = KnownSettings.check(d, c.getValue());
          if (d.kind() == KnownSettings.Kind.DEVICE_LIST) {
            listed.addAll(KnownSettings.devices(canonical));
          }
        } catch (MogulException e) {
          throw new ParameterException(spec.commandLine(), e.getMessage());
        }
      }
      if (!listed.isEmpty()) {
        AdminCommand.call(global, a -> a.listDevices(ListRequest.getDefaultInstance())).getDevicesList()
            .forEach(dev -> listed.remove(dev.getDeviceId()));
        if (!listed.isEmpty()) {
          throw new ParameterException(spec.commandLine(), "no device " + listed.iterator().next()
              + (listed.size() > 1 ? " (nor " + listed.stream().skip(1).toList() + ")" : ""));
        }
      }
      for (Map.Entry<String, String> c : changes.entrySet()) {
        AdminCommand.call(global, a -> a.setSetting(Setting.newBuilder().setName(c.getKey()).setValue(c.getValue())
            .build()));
      }
      List<Setting> policy = AdminCommand.call(global, a -> a.listSettings(ListRequest.getDefaultInstance()))
          .getSettingsList().stream().filter(st -> POLICY_SETTINGS.contains(st.getName())).toList();
      SettingsCommands.print(global.output(), policy);
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
