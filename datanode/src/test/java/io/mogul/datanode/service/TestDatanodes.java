package io.mogul.datanode.service;

import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import java.util.ArrayList;
import java.util.List;

/** Datanodes and clients a test started; closed together, newest first, after each test. */
final class TestDatanodes implements AutoCloseable {
  private final List<AutoCloseable> open = new ArrayList<>();

  DatanodeServer start(DatanodeConfig c) throws Exception {
    DatanodeServer s = DatanodeServer.start(c);
    open.add(s);
    return s;
  }

  DataNodeClient client(DatanodeServer s) {
    DataNodeClient c = new DataNodeClient(s.address());
    open.add(c);
    return c;
  }

  /** Closes {@code resource} after the test too. */
  void closeLater(AutoCloseable resource) {
    open.add(resource);
  }

  /** Closes a server now (a restart, say) instead of after the test. */
  void stop(DatanodeServer server) throws Exception {
    server.close();
    open.remove(server);
  }

  @Override
  public void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
  }
}
