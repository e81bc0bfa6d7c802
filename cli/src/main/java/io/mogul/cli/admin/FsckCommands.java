package io.mogul.cli.admin;

import com.google.common.util.concurrent.ListenableFuture;
import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.client.MogulClient;
import io.mogul.common.MogulException;
import io.mogul.proto.AdminGrpc;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FsckLogEntry;
import io.mogul.proto.FsckLogRequest;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mogul admin fsck ...}: the background file check. */
@Command(name = "fsck", description = "Start, stop, reset and watch the background file check.",
    subcommands = {FsckCommands.Start.class, FsckCommands.Stop.class, FsckCommands.Reset.class,
        FsckCommands.ClearLog.class, FsckCommands.Status.class, FsckCommands.Log.class})
final class FsckCommands {
  private FsckCommands() {}

  static void print(Output out, FsckStatus s) {
    if (out.json()) {
      out.printJson(ProtoJson.toMap(s));
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    String state = s.getRunning() ? "running" : s.getFinished() ? "finished"
        : s.getStartedMs() == 0 ? "never run" : "stopped";
    fields.put("state", state);
    fields.put("started", s.getStartedMs() == 0 ? "-" : Instant.ofEpochMilli(s.getStartedMs()).toString());
    fields.put("cursor (last fid checked)", Long.toUnsignedString(s.getCursor()));
    fields.put("fids checked", s.getFidsChecked());
    fields.put("copies checked", s.getCopiesChecked());
    fields.put("problems", s.getProblems());
    fields.put("repairs", s.getRepairs());
    fields.put("log entries", s.getLogEntries());
    out.fields(fields);
  }

  /** A subcommand that makes one admin call and prints the state of the check it answers with. */
  abstract static class StateCall implements Callable<Integer> {
    @Mixin GlobalOptions global;
    private final Function<AdminGrpc.AdminFutureStub, ListenableFuture<FsckStatus>> rpc;

    StateCall(Function<AdminGrpc.AdminFutureStub, ListenableFuture<FsckStatus>> rpc) {
      this.rpc = rpc;
    }

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, rpc));
      return ExitCodes.OK;
    }
  }

  @Command(name = "start", description = "Start the check, or resume a stopped one where it was.")
  static final class Start extends StateCall {
    Start() {
      super(admin -> admin.fsckStart(Empty.getDefaultInstance()));
    }
  }

  @Command(name = "stop", description = "Stop the check; start resumes it.")
  static final class Stop extends StateCall {
    Stop() {
      super(admin -> admin.fsckStop(Empty.getDefaultInstance()));
    }
  }

  @Command(name = "reset", description = "Stop the check and forget its position, counters and log.")
  static final class Reset extends StateCall {
    Reset() {
      super(admin -> admin.fsckReset(Empty.getDefaultInstance()));
    }
  }

  @Command(name = "clearlog", description = "Empty the check's log; its position and counters stay.")
  static final class ClearLog extends StateCall {
    ClearLog() {
      super(admin -> admin.fsckClearLog(Empty.getDefaultInstance()));
    }
  }

  @Command(name = "status", description = "Show the check's progress and counters.")
  static final class Status extends StateCall {
    Status() {
      super(admin -> admin.getFsckStatus(ListRequest.getDefaultInstance()));
    }
  }

  @Command(name = "log",
      description = "Show what the check found and did (codes: MISS, BLEN, BCSUM, NOPA, UNRE, POVI, REPL, DROP).")
  static final class Log implements Callable<Integer> {
    /** How often --follow asks for new entries. */
    private static final Duration FOLLOW_POLL = Duration.ofSeconds(1);

    @Mixin GlobalOptions global;
    @Option(names = "--after", description = "Only entries after this sequence number.") long after;
    @Option(names = "--limit", description = "Most entries to show (default ${DEFAULT-VALUE}).") int limit = 1000;
    @Option(names = {"-f", "--follow"}, negatable = false, description = "Keep showing new entries, one per line,"
        + " while the check runs (like mogadm fsck taillog); return once it has stopped and all are shown.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
      Output out = global.output();
      if (follow) {
        if (out.json()) {
          throw new MogulException(ErrorReason.INVALID_ARGUMENT, "--follow prints lines; use it without --json");
        }
        follow(out);
        return ExitCodes.OK;
      }
      List<FsckLogEntry> entries = AdminCommand.call(global, a -> a.getFsckLog(request(after)))
          .getEntriesList();
      if (out.json()) {
        out.printJson(ProtoJson.toList(entries));
        return ExitCodes.OK;
      }
      out.table(List.of("SEQ", "TIME", "CODE", "FID", "DEVICE", "DOMAIN", "KEY", "DETAIL"),
          entries.stream().<List<?>>map(Log::row).toList());
      return ExitCodes.OK;
    }

    private FsckLogRequest request(long afterSeq) {
      return FsckLogRequest.newBuilder().setAfterSeq(afterSeq).setLimit(limit).build();
    }

    private void follow(Output out) throws InterruptedException {
      long last = after;
      try (MogulClient client = global.client()) {
        while (true) {
          // The state first: entries read after a "stopped" state include all of that pass's.
          boolean running = client.admin(a -> a.getFsckStatus(ListRequest.getDefaultInstance())).getRunning();
          long from = last;
          List<FsckLogEntry> entries = client.admin(a -> a.getFsckLog(request(from))).getEntriesList();
          for (FsckLogEntry e : entries) {
            out.stream().println(row(e).stream().map(String::valueOf).collect(Collectors.joining("  ")));
            last = e.getSeq();
          }
          out.stream().flush();
          if (!running && (entries.isEmpty() || entries.size() < limit)) {
            return;
          }
          if (entries.isEmpty()) {
            Thread.sleep(FOLLOW_POLL.toMillis());
          }
        }
      }
    }

    private static List<?> row(FsckLogEntry e) {
      return List.of(e.getSeq(), Instant.ofEpochMilli(e.getTimeMs()).toString(), e.getCode(),
          Long.toUnsignedString(e.getFid()), e.getDeviceId() == 0 ? "-" : e.getDeviceId(), e.getDomain(),
          e.getKey(), e.getDetail());
    }
  }
}
