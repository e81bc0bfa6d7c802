package io.mogul.cli;

import io.mogul.client.MogulClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mogul mv}: renames a key within its domain. */
@Command(name = "mv", description = "Rename a key.")
final class RenameCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "FROM") String from;
  @Parameters(index = "2", paramLabel = "TO") String to;

  @Override
  public Integer call() {
    try (MogulClient client = global.client()) {
      client.rename(domain, from, to);
    }
    if (global.json()) {
      global.output().printJson(java.util.Map.of("from", from, "to", to, "domain", domain));
    } else {
      global.io().out().println("renamed " + domain + "/" + from + " to " + to);
    }
    return ExitCodes.OK;
  }
}
