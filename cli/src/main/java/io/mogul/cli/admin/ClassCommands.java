package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.common.Names;
import io.mogul.proto.ClassInfo;
import io.mogul.proto.ClassRef;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.ListClassesRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mogul admin class ...}: storage classes, i.e. how many copies and how spread. */
@Command(name = "class", description = "Add, list, modify and delete storage classes.",
    subcommands = {ClassCommands.Add.class, ClassCommands.ListClasses.class, ClassCommands.Modify.class,
        ClassCommands.Delete.class})
final class ClassCommands {
  private ClassCommands() {}

  static void print(Output out, List<ClassInfo> classes) {
    if (out.json()) {
      out.printJson(ProtoJson.toList(classes));
      return;
    }
    out.table(List.of("DOMAIN", "CLASS", "MINDEVCOUNT", "REPLPOLICY", "HASHTYPE", "FILES", "BYTES"),
        classes.stream().<List<?>>map(c -> List.of(c.getDomain(), c.getName(), c.getMindevcount(),
            States.show(c.getPolicy()), c.getHashType().isEmpty() ? "-" : c.getHashType(), c.getFileCount(),
            Output.bytes(c.getByteCount()))).toList());
  }

  /** Options shared by add and modify. */
  static class SpecOptions {
    @Option(names = "--mindevcount", description = "Copies to keep, 1..16.") int mindevcount;
    @Option(names = "--replpolicy", description = "multiple-hosts, multiple-devices or zone-aware.") String policy;
    @Option(names = "--hashtype", description = "'' or CRC32C.") String hashType = "";

    ClassSpec spec(String domain, String name) {
      ClassSpec.Builder b = ClassSpec.newBuilder().setDomain(domain).setName(name)
          .setMindevcount(mindevcount).setHashType(hashType);
      if (policy != null) {
        b.setPolicy(States.policy(policy));
      }
      return b.build();
    }
  }

  @Command(name = "add", description = "Create a class.")
  static final class Add implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin SpecOptions options;
    @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
    @Parameters(index = "1", paramLabel = "CLASS") String name;

    @Override
    public Integer call() {
      Names.checkDomain(domain);
      Names.checkClass(name);
      print(global.output(), List.of(AdminCommand.<ClassInfo>call(global, a -> a.createClass(options.spec(domain, name)))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "modify", description = "Change a class's mindevcount or replication policy.")
  static final class Modify implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Mixin SpecOptions options;
    @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
    @Parameters(index = "1", paramLabel = "CLASS") String name;

    @Override
    public Integer call() {
      print(global.output(), List.of(AdminCommand.<ClassInfo>call(global, a -> a.updateClass(options.spec(domain, name)))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List classes, of one domain or all.")
  static final class ListClasses implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(paramLabel = "DOMAIN", arity = "0..1") String domain = "";

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.listClasses(
          ListClassesRequest.newBuilder().setDomain(domain).build())).getClassesList());
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Delete an unused class.")
  static final class Delete implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
    @Parameters(index = "1", paramLabel = "CLASS") String name;

    @Override
    public Integer call() {
      AdminCommand.call(global, a -> a.deleteClass(ClassRef.newBuilder().setDomain(domain).setName(name).build()));
      if (global.json()) {
        global.output().printJson(java.util.Map.of("deleted", domain + "/" + name));
      } else {
        global.io().out().println("deleted class " + domain + "/" + name);
      }
      return ExitCodes.OK;
    }
  }
}
