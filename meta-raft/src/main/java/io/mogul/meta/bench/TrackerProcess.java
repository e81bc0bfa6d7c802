package io.mogul.meta.bench;

import io.mogul.common.config.ConfigLoader;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.server.TrackerServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one tracker from a YAML config until the process is terminated; the benchmark uses
 * it to start a group of trackers as separate processes.
 */
public final class TrackerProcess {
  private TrackerProcess() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: TrackerProcess CONFIG.yaml");
      System.exit(2);
    }
    TrackerConfig config = ConfigLoader.load(Path.of(args[0]), List.of(), TrackerConfig.class);
    TrackerServer server = TrackerServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }));
    System.out.println("serving " + server.address());
    stopped.await();
  }
}
