package io.mogul.chaos.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;

/**
 * A loopback listener whose links can be cut: {@link #cut()} resets every open connection
 * and refuses new ones until {@link #heal()}. Subclasses decide where an accepted
 * connection goes.
 */
abstract class CuttableProxy implements AutoCloseable {
  private final ServerSocket server;
  final Set<Pipe> pipes = Pipe.newRegistry();
  private volatile boolean cut;
  private volatile boolean closed;

  CuttableProxy(int listenPort) throws IOException {
    this.server = new ServerSocket(listenPort, 128, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, getClass().getSimpleName() + "-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
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

  /** Takes over one accepted connection while the proxy is not cut. */
  abstract void accepted(Socket client);

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
      } else {
        accepted(client);
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
