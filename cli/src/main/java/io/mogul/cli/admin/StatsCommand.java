package io.mogul.cli.admin;

import io.mogul.cli.ExitCodes;
import io.mogul.cli.GlobalOptions;
import io.mogul.cli.Output;
import io.mogul.cli.ProtoJson;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.ListRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mogul admin stats}: file and byte counts, queues. */
@Command(name = "stats", description = "Show cluster statistics.")
final class StatsCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;

  @Override
  public Integer call() {
    ClusterStats stats = AdminCommand.call(global, a -> a.getStats(ListRequest.getDefaultInstance()));
    Output out = global.output();
    if (out.json()) {
      out.printJson(ProtoJson.toMap(stats));
      return ExitCodes.OK;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("files", stats.getFileCount());
    fields.put("bytes", stats.getByteCount() + " (" + Output.bytes(stats.getByteCount()) + ")");
    fields.put("pending deletions", stats.getPendingDeletions());
    fields.put("open uploads", stats.getOpenUploads());
    fields.put("under-replicated", stats.getUnderReplicated());
    fields.put("next fid", Long.toUnsignedString(stats.getNextFid()));
    out.fields(fields);
    out.stream().println();
    DomainCommands.print(out, stats.getDomainsList());
    return ExitCodes.OK;
  }
}
