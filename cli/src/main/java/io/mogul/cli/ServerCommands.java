package io.mogul.cli;

import io.mogul.common.ServerProcess;
import io.mogul.common.config.ConfigLoader;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.server.TrackerServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mogul tracker} and {@code mogul datanode}: run one server until SIGTERM or SIGINT. */
final class ServerCommands {
  private ServerCommands() {}

  /** Options of both server commands. */
  static class ConfigOptions {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE", description = "Override one config key; repeatable.")
    List<String> overrides = new ArrayList<>();
  }

  /** Blocks until the JVM is asked to stop, then closes the server once. */
  static int runUntilStopped(String what, String address, AutoCloseable server) throws InterruptedException {
    ServerProcess.runUntilStopped(what, address, server);
    return ExitCodes.OK;
  }

  @Command(name = "tracker", description = "Run a tracker until SIGTERM/SIGINT.")
  static final class Tracker implements Callable<Integer> {
    @picocli.CommandLine.Mixin ConfigOptions options;

    @Override
    public Integer call() throws IOException, InterruptedException {
      TrackerConfig config = ConfigLoader.load(options.config, options.overrides, TrackerConfig.class);
      TrackerServer server = TrackerServer.start(config);
      return runUntilStopped("tracker " + config.id, server.address(), server::close);
    }
  }

  @Command(name = "datanode", description = "Run a datanode until SIGTERM/SIGINT.")
  static final class Datanode implements Callable<Integer> {
    @picocli.CommandLine.Mixin ConfigOptions options;

    @Override
    public Integer call() throws IOException, InterruptedException {
      DatanodeConfig config = ConfigLoader.load(options.config, options.overrides, DatanodeConfig.class);
      DatanodeServer server = DatanodeServer.start(config);
      return runUntilStopped("datanode " + config.hostName, server.address(), server::close);
    }
  }
}
