package io.mogul.datanode.server;

import io.mogul.common.config.ConfigLoader;
import io.mogul.datanode.config.DatanodeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one datanode until the process is stopped:
 * {@code DatanodeMain --config FILE [--set key.path=value ...]}. Prints
 * {@code DATANODE_READY <address>} on standard output once serving.
 */
public final class DatanodeMain {
  private DatanodeMain() {}

  public static void main(String[] args) throws Exception {
    Path config = null;
    List<String> overrides = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = Path.of(args[++i]);
        case "--set" -> overrides.add(args[++i]);
        default -> {
          System.err.println("usage: DatanodeMain --config FILE [--set key.path=value ...]");
          System.exit(2);
        }
      }
    }
    DatanodeServer server = DatanodeServer.start(ConfigLoader.load(config, overrides, DatanodeConfig.class));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "datanode-shutdown"));
    System.out.println("DATANODE_READY " + server.address());
    System.out.flush();
    server.awaitTermination();
  }
}
