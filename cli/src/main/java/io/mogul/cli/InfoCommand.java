package io.mogul.cli;

import io.mogul.client.CopyCheck;
import io.mogul.client.MogulClient;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.FileInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mogul info}: a key's metadata and where its copies are; with {@code --verify},
 * also whether each copy is intact on its device (like mogfiledebug), exiting with
 * {@link ExitCodes#ERROR} when one is not.
 */
@Command(name = "info", description = "Show a key's metadata and copies.")
final class InfoCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "KEY") String key;
  @Option(names = "--verify", negatable = false,
      description = "Have each copy's datanode re-read it and check its checksum; exit 3 if a copy is not good.")
  boolean verify;

  @Override
  public Integer call() {
    FileInfo info;
    List<CopyCheck> checks = null;
    try (MogulClient client = global.client()) {
      info = client.info(domain, key);
      if (verify) {
        checks = client.verifyCopies(info);
      }
    }
    int exit = checks == null || checks.stream().allMatch(CopyCheck::good) ? ExitCodes.OK : ExitCodes.ERROR;
    Output out = global.output();
    if (out.json()) {
      Map<String, Object> json = ProtoJson.toMap(info);
      if (checks != null) {
        json.put("checks", checks.stream().map(c -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("deviceId", c.location().getDeviceId());
          m.put("address", c.location().getAddress());
          m.put("state", c.state().name());
          m.put("detail", c.detail());
          return m;
        }).toList());
      }
      out.printJson(json);
      return exit;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("domain", info.getDomain());
    fields.put("key", info.getKey());
    fields.put("fid", Long.toUnsignedString(info.getFid()));
    fields.put("class", info.getStorageClass() + " (mindevcount " + info.getMindevcount() + ")");
    fields.put("length", info.getLength() + " (" + Output.bytes(info.getLength()) + ")");
    fields.put("crc32c", String.format("%08x", info.getCrc32C()));
    fields.put("created", Instant.ofEpochMilli(info.getCreatedMs()));
    fields.put("content type", info.getContentType());
    fields.put("attributes", info.getAttributesMap().entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
    fields.put("copies", info.getLocationsCount());
    out.fields(fields);
    for (int i = 0; i < info.getLocationsCount(); i++) {
      DeviceLocation d = info.getLocations(i);
      String verdict = checks == null ? "" : ": " + checks.get(i).state().name().toLowerCase(Locale.ROOT)
          + (checks.get(i).good() ? "" : " (" + checks.get(i).detail() + ")");
      out.stream().printf("  dev%d on host %d at %s%s%s%n", d.getDeviceId(), d.getHostId(), d.getAddress(),
          d.getZone().isEmpty() ? "" : " zone " + d.getZone(), verdict);
    }
    return exit;
  }
}
