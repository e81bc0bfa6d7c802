package io.mogul.cli;

import io.mogul.client.MogulClient;
import io.mogul.proto.KeySummary;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mogul ls}: lists keys in key order, streaming page by page. */
@Command(name = "ls", description = "List keys of a domain, optionally under a prefix.")
final class ListCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "PREFIX", arity = "0..1") String prefix = "";
  @Option(names = {"-n", "--limit"}, description = "Stop after this many keys (0: all).") long limit;
  @Option(names = {"-l", "--long"}, description = "Show size, class and fid too.") boolean details;

  @Override
  public Integer call() {
    PrintStream out = global.io().out();
    Output.JsonArray json = global.json() ? global.output().jsonArray() : null;
    long count = 0;
    try (MogulClient client = global.client()) {
      Iterator<KeySummary> keys = client.list(domain, prefix);
      while (keys.hasNext() && (limit <= 0 || count < limit)) {
        KeySummary k = keys.next();
        if (json != null) {
          json.add(ProtoJson.toMap(k));
        } else if (details) {
          out.printf("%12d  %-12s  %20s  %s%n", k.getLength(), k.getStorageClass(),
              Long.toUnsignedString(k.getFid()), k.getKey());
        } else {
          out.println(k.getKey());
        }
        count++;
      }
      if (json != null) {
        json.close();
      }
    }
    return ExitCodes.OK;
  }
}
