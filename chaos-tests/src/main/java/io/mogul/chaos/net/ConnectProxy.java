package io.mogul.chaos.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP CONNECT proxy on loopback through which one process makes all its outgoing
 * gRPC connections (started with {@code -Dhttps.proxyHost/-Dhttps.proxyPort}). Cutting it
 * cuts that process off from everyone it calls; together with a {@link FaultProxy} in
 * front of its own port the process is isolated both ways.
 */
public final class ConnectProxy extends CuttableProxy {
  private final AtomicLong tunnels = new AtomicLong();

  private ConnectProxy() throws IOException {
    super(0);
  }

  public static ConnectProxy start() throws IOException {
    return new ConnectProxy();
  }

  /** Tunnels opened so far. */
  public long tunnelsOpened() {
    return tunnels.get();
  }

  /** JVM options that route a process's outgoing gRPC connections through this proxy. */
  public List<String> jvmOptions() {
    return List.of("-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=" + port(),
        // The default list exempts loopback; an empty list sends loopback through the proxy too.
        "-Dhttp.nonProxyHosts=");
  }

  @Override
  void accepted(Socket client) {
    Thread t = new Thread(() -> handshake(client), "connect-proxy-handshake");
    t.setDaemon(true);
    t.start();
  }

  private void handshake(Socket client) {
    try {
      client.setSoTimeout(10_000);
      InputStream in = client.getInputStream();
      String head = readHead(in);
      String[] requestLine = head.split("\r\n", 2)[0].split(" ");
      OutputStream out = client.getOutputStream();
      if (requestLine.length < 2 || !requestLine[0].equals("CONNECT")) {
        out.write("HTTP/1.1 405 Method Not Allowed\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Pipe.closeQuietly(client);
        return;
      }
      if (isCut()) {
        Pipe.closeQuietly(client);
        return;
      }
      String authority = requestLine[1];
      int colon = authority.lastIndexOf(':');
      Socket upstream = new Socket();
      try {
        upstream.connect(new InetSocketAddress(authority.substring(0, colon),
            Integer.parseInt(authority.substring(colon + 1))), 5_000);
      } catch (IOException | RuntimeException e) {
        out.write("HTTP/1.1 502 Bad Gateway\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        Pipe.closeQuietly(client);
        return;
      }
      tunnels.incrementAndGet();
      out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      client.setSoTimeout(0);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      Pipe.start(client, upstream, pipes, "connect-proxy-" + port());
    } catch (IOException e) {
      Pipe.closeQuietly(client);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during CONNECT");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 8192) {
        throw new IOException("CONNECT request too long");
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
