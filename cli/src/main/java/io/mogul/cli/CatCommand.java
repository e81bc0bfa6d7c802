package io.mogul.cli;

import io.mogul.client.MogulClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mogul cat}: writes a key's contents to stdout. */
@Command(name = "cat", description = "Write a key's contents to stdout.")
final class CatCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "KEY") String key;

  @Override
  public Integer call() {
    try (MogulClient client = global.client()) {
      GetCommand.copyToStdout(global.io(), client, domain, key);
    }
    return ExitCodes.OK;
  }
}
