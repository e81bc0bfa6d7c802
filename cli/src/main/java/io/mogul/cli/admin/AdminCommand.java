package io.mogul.cli.admin;

import com.google.common.util.concurrent.ListenableFuture;
import io.mogul.cli.GlobalOptions;
import io.mogul.client.MogulClient;
import io.mogul.proto.AdminGrpc;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code mogul admin}: cluster administration, command for command like mogadm. */
@Command(name = "admin", description = "Administer hosts, devices, domains, classes and settings.",
    subcommands = {HostCommands.class, DeviceCommands.class, DomainCommands.class, ClassCommands.class,
        SettingsCommands.class, CheckCommand.class, StatsCommand.class, FsckCommands.class, RebalanceCommands.class,
        FidsCommand.class})
public final class AdminCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin GlobalOptions global;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  /** Runs one Admin rpc with tracker failover. */
  static <T> T call(GlobalOptions global, Function<AdminGrpc.AdminFutureStub, ListenableFuture<T>> rpc) {
    try (MogulClient client = global.client()) {
      return client.admin(rpc);
    }
  }
}
