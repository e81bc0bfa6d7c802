package io.mogul.cli;

import io.mogul.client.MogulClient;
import io.mogul.client.PutOptions;
import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mogul put}: stores a local file or stdin under a key. */
@Command(name = "put", description = "Store a file (or stdin with '-') under a key.")
final class PutCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "KEY") String key;
  @Parameters(index = "2", paramLabel = "FILE|-") String file;
  @Option(names = "--class", paramLabel = "CLASS", description = "Storage class (default: the domain's default).")
  String storageClass;
  @Option(names = "--attr", paramLabel = "NAME=VALUE", description = "Attribute; repeatable.")
  Map<String, String> attributes = new LinkedHashMap<>();
  @Option(names = "--content-type", paramLabel = "TYPE") String contentType;

  @Override
  public Integer call() {
    Io io = global.io();
    PutOptions.Builder options = PutOptions.builder().storageClass(storageClass).contentType(contentType);
    attributes.forEach(options::attribute);
    FileInfo info;
    try (MogulClient client = global.client()) {
      if (file.equals("-")) {
        info = client.put(domain, key, io.in(), options.build());
      } else {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
          throw new MogulException(ErrorReason.INVALID_ARGUMENT, "no such file: " + file);
        }
        try (Progress progress = new Progress(io, sizeOf(path))) {
          info = client.put(domain, key, path, options.progress(progress::add).build());
        }
      }
    }
    Output out = global.output();
    if (out.json()) {
      out.printJson(ProtoJson.toMap(info));
    } else {
      out.stream().printf("stored %s/%s: %d bytes, fid %s, class %s, %d copies%n", info.getDomain(),
          info.getKey(), info.getLength(), Long.toUnsignedString(info.getFid()), info.getStorageClass(),
          info.getLocationsCount());
    }
    return ExitCodes.OK;
  }

  private static long sizeOf(Path path) {
    try {
      return Files.size(path);
    } catch (java.io.IOException e) {
      throw new MogulException(ErrorReason.INVALID_ARGUMENT, "cannot read " + path + ": " + e.getMessage(), e);
    }
  }
}
