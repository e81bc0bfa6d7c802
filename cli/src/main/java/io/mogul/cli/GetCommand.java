package io.mogul.cli;

import io.mogul.client.MogulClient;
import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mogul get}: fetches a key into a local file or to stdout. */
@Command(name = "get", description = "Fetch a key into a file (or stdout with '-').")
final class GetCommand implements Callable<Integer> {
  @Mixin GlobalOptions global;
  @Parameters(index = "0", paramLabel = "DOMAIN") String domain;
  @Parameters(index = "1", paramLabel = "KEY") String key;
  @Parameters(index = "2", paramLabel = "FILE|-") String file;

  @Override
  public Integer call() {
    Io io = global.io();
    try (MogulClient client = global.client()) {
      if (file.equals("-")) {
        copyToStdout(io, client, domain, key);
        return ExitCodes.OK;
      }
      long length = client.paths(domain, key).getLength();
      try (Progress progress = new Progress(io, length)) {
        long written = client.get(domain, key, Path.of(file), progress::add);
        if (global.json()) {
          global.output().printJson(java.util.Map.of("domain", domain, "key", key, "file", file, "length", written));
        } else {
          io.err().printf("fetched %s/%s: %d bytes to %s%n", domain, key, written, file);
        }
      }
    }
    return ExitCodes.OK;
  }

  /** Streams a key to stdout, verifying it end to end. */
  static void copyToStdout(Io io, MogulClient client, String domain, String key) {
    long length = client.paths(domain, key).getLength();
    try (InputStream in = client.openStream(domain, key); Progress progress = new Progress(io, length)) {
      OutputStream out = io.out();
      byte[] buffer = new byte[256 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        progress.add(n);
      }
      out.flush();
    } catch (IOException e) {
      if (e.getCause() instanceof MogulException m) {
        throw m;
      }
      throw new MogulException(ErrorReason.INTERNAL, "read failed: " + e.getMessage(), e);
    }
  }
}
