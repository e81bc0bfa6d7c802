package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.client.MogulClient;
import io.mogul.proto.FidSummary;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mogul admin fids}: every file of every domain in fid order, like moglistfids;
 * streamed page by page, so it works on any number of files.
 */
@Command(name = "fids", description = "List files of all domains in fid order, with their copies' devices.")
final class FidsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin GlobalOptions global;
  @Option(names = "--after", paramLabel = "FID", description = "Start after this fid (default: the first).")
  String after = "0";
  @Option(names = {"-n", "--limit"}, description = "Stop after this many files (0: all).") long limit;

  @Override
  public Integer call() {
    long afterFid;
    try {
      afterFid = Long.parseUnsignedLong(after);
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), "--after must be a fid (an unsigned 64-bit number): '"
          + after + "'");
    }
    if (limit < 0) {
      throw new ParameterException(spec.commandLine(), "--limit must not be negative: " + limit);
    }
    PrintStream out = global.io().out();
    Output.JsonArray json = global.json() ? global.output().jsonArray() : null;
    long count = 0;
    try (MogulClient client = global.client()) {
      Iterator<FidSummary> fids = client.fids(afterFid);
      if (json == null) {
        out.printf("%20s  %12s  %-12s  %-10s  %-16s  %s%n", "FID", "LENGTH", "DOMAIN", "CLASS", "DEVICES", "KEY");
      }
      while ((limit == 0 || count < limit) && fids.hasNext()) {
        FidSummary f = fids.next();
        if (json != null) {
          json.add(ProtoJson.toMap(f));
        } else {
          out.printf("%20s  %12d  %-12s  %-10s  %-16s  %s%n", Long.toUnsignedString(f.getFid()), f.getLength(),
              f.getDomain(), f.getStorageClass(), f.getDeviceIdsList().stream().map(id -> "dev" + id)
                  .collect(Collectors.joining(",")), f.getKey());
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
