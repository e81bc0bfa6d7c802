package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.proto.ListRequest;
import io.mogul.proto.Setting;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mogul admin settings ...}: cluster-wide server settings. */
@Command(name = "settings", description = "List and set server settings.",
    subcommands = {SettingsCommands.ListSettings.class, SettingsCommands.Set.class})
final class SettingsCommands {
  private SettingsCommands() {}

  static void print(Output out, List<Setting> settings) {
    if (out.json()) {
      out.printJson(ProtoJson.toList(settings));
      return;
    }
    out.table(List.of("NAME", "VALUE", "DESCRIPTION"),
        settings.stream().<List<?>>map(s -> List.of(s.getName(), s.getValue(), s.getDescription())).toList());
  }

  @Command(name = "list", description = "List settings.")
  static final class ListSettings implements Callable<Integer> {
    @Mixin GlobalOptions global;

    @Override
    public Integer call() {
      print(global.output(), AdminCommand.call(global, a -> a.listSettings(ListRequest.getDefaultInstance())).getSettingsList());
      return ExitCodes.OK;
    }
  }

  @Command(name = "set", description = "Set a setting.")
  static final class Set implements Callable<Integer> {
    @Mixin GlobalOptions global;
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Parameters(index = "1", paramLabel = "VALUE") String value;

    @Override
    public Integer call() {
      print(global.output(), List.of(AdminCommand.<Setting>call(global, a -> a.setSetting(
          Setting.newBuilder().setName(name).setValue(value).build()))));
      return ExitCodes.OK;
    }
  }
}
