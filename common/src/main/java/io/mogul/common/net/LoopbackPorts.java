package io.mogul.common.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free loopback ports for servers that must keep their port across a restart (Raft peers,
 * the nodes of a local cluster). The ports come from below the kernel's ephemeral range:
 * a port taken from inside it can be handed to some outgoing connection as its source port
 * while its server is down between a stop and a restart, and the restart then fails to
 * bind. Where the ephemeral range is unknown (not Linux) or leaves no room below it, any
 * free port the kernel offers is used.
 *
 * <p>Each process starts its search at an offset derived from its pid, so processes picking
 * ports at the same time rarely probe the same ones; every candidate is checked by binding
 * it. Thread-safe.
 */
public final class LoopbackPorts {
  private static final int LOWEST = 10_000;
  private static final int MIN_ROOM = 1_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final AtomicInteger CURSOR = new AtomicInteger();

  private LoopbackPorts() {}

  /** A loopback port nothing listens on or is bound to right now. */
  public static int free() throws IOException {
    int room = ephemeralLow() - LOWEST;
    if (room < MIN_ROOM) {
      return kernelChosen();
    }
    int start = (int) (ProcessHandle.current().pid() * 7919 % room);
    for (int tries = 0; tries < room; tries++) {
      int port = LOWEST + Math.floorMod(start + CURSOR.getAndIncrement(), room);
      if (isFree(port)) {
        return port;
      }
    }
    return kernelChosen();
  }

  /** Whether {@code port} can be bound on the loopback address now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int kernelChosen() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The lowest port of the kernel's ephemeral range; 0 when it cannot be read. */
  private static int ephemeralLow() {
    // One read: a sysctl file answers only the first read, so a read that starts with a
    // short probe (as Files.readString does for files that report no size) gets one byte.
    try (InputStream in = Files.newInputStream(EPHEMERAL_RANGE)) {
      byte[] buffer = new byte[128];
      int n = in.read(buffer);
      String[] range = new String(buffer, 0, Math.max(0, n), StandardCharsets.US_ASCII).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
