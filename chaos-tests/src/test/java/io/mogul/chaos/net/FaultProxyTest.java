package io.mogul.chaos.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultProxyTest {
  /** Echoes one line per connection. */
  private static ServerSocket echoServer() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread h = new Thread(() -> {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException e) {
              // Connection dropped by the proxy under test.
            }
          });
          h.setDaemon(true);
          h.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return server;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes());
    byte[] buf = s.getInputStream().readNBytes(text.length());
    return new String(buf);
  }

  @Test
  void cutResetsOpenConnectionsAndRefusesNewOnesUntilHealed() throws Exception {
    try (ServerSocket echo = echoServer();
         FaultProxy proxy = FaultProxy.start(0, new InetSocketAddress("127.0.0.1", echo.getLocalPort()))) {
      try (Socket s = new Socket("127.0.0.1", proxy.port())) {
        s.setSoTimeout(5000);
        assertEquals("hello", roundTrip(s, "hello"));
        proxy.cut();
        assertThrows(IOException.class, () -> {
          // The reset may surface on the write or on the read.
          for (int i = 0; i < 100; i++) {
            String back = roundTrip(s, "again");
            if (!back.equals("again")) {
              throw new IOException("connection ended");
            }
          }
        });
      }
      try (Socket s = new Socket("127.0.0.1", proxy.port())) {
        s.setSoTimeout(5000);
        assertEquals(-1, s.getInputStream().read(), "a new connection through a cut proxy is dropped");
      } catch (IOException expected) {
        // A reset instead of an orderly close is just as good.
      }
      proxy.heal();
      try (Socket s = new Socket("127.0.0.1", proxy.port())) {
        s.setSoTimeout(5000);
        assertEquals("healed", roundTrip(s, "healed"));
      }
    }
  }

  @Test
  void grpcClientsRouteLoopbackConnectionsThroughTheConnectProxyWhenConfigured() throws Exception {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).build().start();
    MethodDescriptor<InputStream, InputStream> method = MethodDescriptor.<InputStream, InputStream>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("mogul.test.Nothing/Call")
        .setRequestMarshaller(new IdentityMarshaller())
        .setResponseMarshaller(new IdentityMarshaller())
        .build();
    try (ConnectProxy proxy = ConnectProxy.start()) {
      String[] keys = {"https.proxyHost", "https.proxyPort", "http.nonProxyHosts"};
      String[] saved = new String[keys.length];
      for (int i = 0; i < keys.length; i++) {
        saved[i] = System.getProperty(keys[i]);
      }
      for (String option : proxy.jvmOptions()) {
        String kv = option.substring(2);
        int eq = kv.indexOf('=');
        System.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
      }
      try {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
              channel, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
              new ByteArrayInputStream(new byte[0])));
          assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), "reached the server: " + e);
          assertTrue(proxy.tunnelsOpened() >= 1, "the connection went through the proxy");
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        proxy.cut();
        ManagedChannel cutChannel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        try {
          StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
              cutChannel, method, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
              new ByteArrayInputStream(new byte[0])));
          assertTrue(e.getStatus().getCode() == Status.Code.UNAVAILABLE
              || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED, e.toString());
        } finally {
          cutChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      } finally {
        for (int i = 0; i < keys.length; i++) {
          if (saved[i] == null) {
            System.clearProperty(keys[i]);
          } else {
            System.setProperty(keys[i], saved[i]);
          }
        }
      }
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static final class IdentityMarshaller implements MethodDescriptor.Marshaller<InputStream> {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  }
}
