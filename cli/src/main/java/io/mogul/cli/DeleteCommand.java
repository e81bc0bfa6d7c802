package io.mogul.cli;

import io.mogul.client.MogulClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mogul rm}: deletes a key. */
@Command(name = "rm", description = "Delete a key.")
final class DeleteCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "KEY") String key;

  @Override
  public Integer call() {
    try (MogulClient client = global.client()) {
      client.delete(domain, key);
    }
    if (global.json()) {
      global.output().printJson(java.util.Map.of("deleted", domain + "/" + key));
    } else {
      global.io().out().println("deleted " + domain + "/" + key);
    }
    return ExitCodes.OK;
  }
}
