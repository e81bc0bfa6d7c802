package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.common.MogulException;
import io.mogul.common.Names;
import io.mogul.proto.CreateHostRequest;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostInfo;
import io.mogul.proto.HostRef;
import io.mogul.proto.ListRequest;
import io.mogul.proto.UpdateHostRequest;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mogul admin host ...}: hosts are datanodes; they normally register themselves. */
@Command(name = "host", description = "Add, list, modify, mark and delete hosts.",
    subcommands = {HostCommands.Add.class, HostCommands.ListHosts.class, HostCommands.Modify.class,
        HostCommands.Mark.class, HostCommands.Delete.class})
final class HostCommands {
  private HostCommands() {}

  static HostInfo find(GlobalOptions global, String name) {
    return AdminCommand.call(global, a -> a.listHosts(ListRequest.getDefaultInstance())).getHostsList().stream()
        .filter(h -> h.getName().equals(name)).findFirst()
        .orElseThrow(() -> new MogulException(ErrorReason.UNKNOWN_HOST, "no host named '" + name + "'"));
  }

  static void print(Output out, List<HostInfo> hosts) {
    if (out.json()) {
      out.printJson(ProtoJson.toList(hosts));
      return;
    }
    out.table(List.of("ID", "NAME", "ADDRESS", "ZONE", "STATE", "REACHABLE", "LAST HEARTBEAT"),
        hosts.stream().<List<?>>map(h -> List.of(h.getHostId(), h.getName(), h.getAddress(), h.getZone(),
            States.show(h.getState()), h.getReachable() ? "yes" : "no",
            h.getLastHeartbeatMs() == 0 ? "-" : Instant.ofEpochMilli(h.getLastHeartbeatMs()))).toList());
  }

  @Command(name = "add", description = "Add a host.")
  static final class Add implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--address", required = true, paramLabel = "HOST:PORT") String address;
    @Option(names = "--zone") String zone = "";

    @Override
    public Integer call() {
      Names.checkHost(name);
      HostInfo host = AdminCommand.call(global, a -> a.createHost(
          CreateHostRequest.newBuilder().setName(name).setAddress(address).setZone(zone).build()));
      print(global.output(), List.of(host));
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List hosts.")
  static final class ListHosts implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.listHosts(ListRequest.getDefaultInstance())).getHostsList());
      return ExitCodes.OK;
    }
  }

  @Command(name = "modify", description = "Change a host's address, zone or state.")
  static final class Modify implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--address", paramLabel = "HOST:PORT") String address = "";
    @Option(names = "--zone") String zone = "";
    @Option(names = "--status", paramLabel = "STATE") String state;

    @Override
    public Integer call() {
      HostInfo host = find(global, name);
      UpdateHostRequest.Builder request = UpdateHostRequest.newBuilder().setHostId(host.getHostId())
          .setAddress(address).setZone(zone);
      if (state != null) {
        request.setState(States.host(state));
      }
      print(global.output(), List.of(AdminCommand.<HostInfo>call(global, a -> a.updateHost(request.build()))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "mark", description = "Set a host's state: alive, readonly, down, dead.")
  static final class Mark implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "STATE") String state;

    @Override
    public Integer call() {
      UpdateHostRequest request = UpdateHostRequest.newBuilder().setHostId(find(global, name).getHostId())
          .setState(States.host(state)).build();
      print(global.output(), List.of(AdminCommand.<HostInfo>call(global, a -> a.updateHost(request))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Delete a host with no live devices.")
  static final class Delete implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(paramLabel = "NAME") String name;

    @Override
    public Integer call() {
      AdminCommand.call(global, a -> a.deleteHost(HostRef.newBuilder().setName(name).build()));
      if (global.json()) {
        global.output().printJson(java.util.Map.of("deleted", name));
      } else {
        global.io().out().println("deleted host " + name);
      }
      return ExitCodes.OK;
    }
  }
}
