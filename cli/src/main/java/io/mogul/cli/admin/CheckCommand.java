package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.Empty;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code mogul admin check}: cluster health, with every tracker's Raft role, term and
 * indexes, then hosts and devices. Exits 4 when the cluster is not healthy.
 */
@Command(name = "check", description = "Check cluster health (trackers' Raft roles, hosts, devices).")
final class CheckCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    ClusterCheck check = AdminCommand.call(global, a -> a.checkCluster(Empty.getDefaultInstance()));
    Output out = global.output();
    if (out.json()) {
      out.printJson(ProtoJson.toMap(check));
    } else {
      out.stream().println("cluster: " + (check.getHealthy() ? "healthy" : "NOT HEALTHY"));
      out.stream().println();
      out.table(List.of("TRACKER", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "SNAPSHOT", "LEADER", "LEVEL", "ERROR"),
          check.getTrackersList().stream().<List<?>>map(t -> List.of(t.getPeerId(), t.getAddress(),
              t.getRole().name().toLowerCase(java.util.Locale.ROOT), t.getTerm(), t.getCommitIndex(),
              t.getAppliedIndex(), t.getSnapshotIndex(), t.getLeaderId(), t.getFeatureLevel(), t.getError())).toList());
      out.stream().println();
      HostCommands.print(out, check.getHostsList());
      out.stream().println();
      DeviceCommands.print(out, check.getDevicesList());
    }
    return check.getHealthy() ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
  }
}
