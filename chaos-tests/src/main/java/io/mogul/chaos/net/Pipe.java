package io.mogul.chaos.net;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Copies bytes both ways between two sockets on two threads until either side closes. */
final class Pipe implements Closeable {
  private final Socket a;
  private final Socket b;
  private final Set<Pipe> registry;

  private Pipe(Socket a, Socket b, Set<Pipe> registry) {
    this.a = a;
    this.b = b;
    this.registry = registry;
  }

  static void start(Socket a, Socket b, Set<Pipe> registry, String name) {
    Pipe pipe = new Pipe(a, b, registry);
    registry.add(pipe);
    thread(name + "-up", () -> pipe.copy(a, b)).start();
    thread(name + "-down", () -> pipe.copy(b, a)).start();
  }

  static Set<Pipe> newRegistry() {
    return ConcurrentHashMap.newKeySet();
  }

  private void copy(Socket from, Socket to) {
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // A closed or reset connection ends the pipe; the peer sees it as a network failure,
      // which is exactly what the proxy is for.
    } finally {
      close();
    }
  }

  /** Drops both connections at once, like a network cut. */
  @Override
  public void close() {
    registry.remove(this);
    closeQuietly(a);
    closeQuietly(b);
  }

  static void closeQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // Already closed: nothing to drop.
    }
  }

  private static Thread thread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
