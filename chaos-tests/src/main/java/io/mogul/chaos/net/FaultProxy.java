package io.mogul.chaos.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;

/**
 * A TCP forwarder on loopback that can cut the link it carries: {@link #cut()} resets
 * every open connection and refuses new ones until {@link #heal()}. Placed in front of a
 * tracker's Raft port so that no peer can reach it.
 */
public final class FaultProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Pipe> pipes = Pipe.newRegistry();
  private volatile boolean cut;
  private volatile boolean closed;

  private FaultProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
  }

  /** Listens on {@code 127.0.0.1:listenPort} (0 picks one) and forwards to {@code target}. */
  public static FaultProxy start(int listenPort, InetSocketAddress target) throws IOException {
    ServerSocket server = new ServerSocket(listenPort, 128, InetAddress.getLoopbackAddress());
    FaultProxy proxy = new FaultProxy(server, target);
    Thread t = new Thread(proxy::acceptLoop, "fault-proxy-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
    return proxy;
  }

  public int port() {
    return server.getLocalPort();
  }

  public InetSocketAddress target() {
    return target;
  }

  public boolean isCut() {
    return cut;
  }

  /** Resets every connection and refuses new ones. */
  public void cut() {
    cut = true;
    for (Pipe p : List.copyOf(pipes)) {
      p.close();
    }
  }

  public void heal() {
    cut = false;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut) {
        Pipe.closeQuietly(client);
        continue;
      }
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

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      server.close();
    } catch (IOException e) {
      // Closing a listening socket only fails if it is already closed.
    }
  }
}
