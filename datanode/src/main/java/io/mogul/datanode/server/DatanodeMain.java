package io.mogul.datanode.server;

import io.mogul.common.ServerProcess;
import io.mogul.common.config.ConfigLoader;
import io.mogul.datanode.config.DatanodeConfig;

/**
 * Runs one datanode until the process is stopped:
 * {@code DatanodeMain --config FILE [--set key.path=value ...]}. Prints
 * {@code DATANODE_READY <address>} on standard output once serving. The entry point of
 * datanode processes started by the launcher; {@code mogul datanode} does the same.
 */
public final class DatanodeMain {
  private DatanodeMain() {}

  public static void main(String[] args) throws Exception {
    ServerProcess.Args parsed;
    try {
      parsed = ServerProcess.parse("DatanodeMain", args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    DatanodeConfig config = ConfigLoader.load(parsed.config(), parsed.overrides(), DatanodeConfig.class);
    DatanodeServer server = DatanodeServer.start(config);
    System.out.println("DATANODE_READY " + server.address());
    System.out.flush();
    ServerProcess.runUntilStopped("datanode " + config.hostName, server.address(), server::close);
  }
}
