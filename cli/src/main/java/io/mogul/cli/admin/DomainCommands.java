package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.common.Names;
import io.mogul.proto.DomainInfo;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ListRequest;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mogul admin domain ...}. */
@Command(name = "domain", description = "Add, list and delete domains.",
    subcommands = {DomainCommands.Add.class, DomainCommands.ListDomains.class, DomainCommands.Delete.class})
final class DomainCommands {
  private DomainCommands() {}

  static void print(Output out, List<DomainInfo> domains) {
    if (out.json()) {
      out.printJson(ProtoJson.toList(domains));
      return;
    }
    out.table(List.of("DOMAIN", "FILES", "BYTES", "CLASSES"),
        domains.stream().<List<?>>map(d -> List.of(d.getName(), d.getFileCount(), Output.bytes(d.getByteCount()),
            d.getClassesList().stream().map(c -> c.getName() + "(" + c.getMindevcount() + ")")
                .collect(Collectors.joining(" ")))).toList());
  }

  @Command(name = "add", description = "Create a domain (with its 'default' class).")
  static final class Add implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(paramLabel = "DOMAIN") String name;

    @Override
    public Integer call() {
      Names.checkDomain(name);
      print(global.output(), List.of(AdminCommand.<DomainInfo>call(global, a -> a.createDomain(DomainRef.newBuilder().setName(name).build()))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List domains and their classes.")
  static final class ListDomains implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.listDomains(ListRequest.getDefaultInstance())).getDomainsList());
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Delete an empty domain.")
  static final class Delete implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(paramLabel = "DOMAIN") String name;

    @Override
    public Integer call() {
      AdminCommand.call(global, a -> a.deleteDomain(DomainRef.newBuilder().setName(name).build()));
      if (global.json()) {
        global.output().printJson(java.util.Map.of("deleted", name));
      } else {
        global.io().out().println("deleted domain " + name);
      }
      return ExitCodes.OK;
    }
  }
}
