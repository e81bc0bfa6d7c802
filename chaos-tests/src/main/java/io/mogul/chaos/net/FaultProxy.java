package io.mogul.chaos.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A TCP forwarder on loopback that can cut the link it carries. Placed in front of a
 * tracker's Raft port so that, once cut, no peer can reach it.
 */
public final class FaultProxy extends CuttableProxy {
  private final InetSocketAddress target;

  private FaultProxy(int listenPort, InetSocketAddress target) throws IOException {
    super(listenPort);
    this.target = target;
  }

  /** Listens on {@code 127.0.0.1:listenPort} (0 picks one) and forwards to {@code target}. */
  public static FaultProxy start(int listenPort, InetSocketAddress target) throws IOException {
    return new FaultProxy(listenPort, target);
  }

  public InetSocketAddress target() {
    return target;
  }

  @Override
  void accepted(Socket client) {
    try {
      Socket upstream = new Socket();
      upstream.connect(target, 5_000);
      upstream.setTcpNoDelay(true);
      client.setTcpNoDelay(true);
      Pipe.start(client, upstream, pipes, "fault-proxy-" + port());
    } catch (IOException e) {
      // Target down: the caller sees a reset, as it would without the proxy.
      Pipe.closeQuietly(client);
    }
  }
}
