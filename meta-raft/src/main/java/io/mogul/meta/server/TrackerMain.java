package io.mogul.meta.server;

import io.mogul.common.ServerProcess;
import io.mogul.common.config.ConfigLoader;
import io.mogul.meta.config.TrackerConfig;

/**
 * Runs one tracker until the process is stopped:
 * {@code TrackerMain --config FILE [--set key.path=value ...]}. The entry point of tracker
 * processes started by the launcher; {@code mogul tracker} does the same.
 */
public final class TrackerMain {
  private TrackerMain() {}

  public static void main(String[] args) throws Exception {
    ServerProcess.Args parsed;
    try {
      parsed = ServerProcess.parse("TrackerMain", args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    TrackerConfig config = ConfigLoader.load(parsed.config(), parsed.overrides(), TrackerConfig.class);
    TrackerServer server = TrackerServer.start(config);
    ServerProcess.runUntilStopped("tracker " + config.id, server.address(), server::close);
  }
}
