package io.mogul.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a server process (tracker, datanode, gateway): its command-line arguments,
 * and running until SIGTERM or SIGINT, then closing the server exactly once.
 */
public final class ServerProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);

  private ServerProcess() {}

  /** {@code --config FILE [--set key.path=value ...]}. */
  public record Args(Path config, List<String> overrides) {}

  /** @throws IllegalArgumentException with a usage line when the arguments do not fit */
  public static Args parse(String program, String[] args) {
    Path config = null;
    List<String> overrides = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      boolean hasValue = i + 1 < args.length;
      if (args[i].equals("--config") && hasValue) {
        config = Path.of(args[++i]);
      } else if (args[i].equals("--set") && hasValue) {
        overrides.add(args[++i]);
      } else {
        throw new IllegalArgumentException("usage: " + program + " --config FILE [--set key.path=value ...]");
      }
    }
    if (config == null) {
      throw new IllegalArgumentException("usage: " + program + " --config FILE [--set key.path=value ...]");
    }
    return new Args(config, overrides);
  }

  /** Blocks until the JVM is asked to stop, then closes {@code server} once. */
  public static void runUntilStopped(String what, String address, AutoCloseable server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("{} at {} stopping", what, address);
      try {
        server.close();
      } catch (Exception e) {
        LOG.error("{} did not stop cleanly", what, e);
      }
      stopped.countDown();
    }, "mogul-shutdown"));
    LOG.info("{} serving at {}", what, address);
    stopped.await();
  }
}
