package io.mogul.cli;

import io.mogul.client.MogulClient;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.FileInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mogul info}: a key's metadata and where its copies are. */
@Command(name = "info", description = "Show a key's metadata and copies.")
final class InfoCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "KEY") String key;

  @Override
  public Integer call() {
    FileInfo info;
    try (MogulClient client = global.client()) {
      info = client.info(domain, key);
    }
    Output out = global.output();
    if (out.json()) {
      out.printJson(ProtoJson.toMap(info));
      return ExitCodes.OK;
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
    for (DeviceLocation d : info.getLocationsList()) {
      out.stream().printf("  dev%d on host %d at %s%s%n", d.getDeviceId(), d.getHostId(), d.getAddress(),
          d.getZone().isEmpty() ? "" : " zone " + d.getZone());
    }
    return ExitCodes.OK;
  }
}
