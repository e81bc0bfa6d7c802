package io.mogul.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
  @Test
  void portsComeFromBelowTheEphemeralRangeDifferEachTimeAndCanBeBound() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    Assumptions.assumeTrue(Files.isReadable(range), "no ephemeral port range to stay out of");
    int ephemeralLow;
    try (BufferedReader in = Files.newBufferedReader(range)) {
      ephemeralLow = Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
    }
    Assumptions.assumeTrue(ephemeralLow - 10_000 >= 1_000, "no room below the ephemeral range");
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int port = LoopbackPorts.free();
      assertTrue(port >= 10_000 && port < ephemeralLow, "port " + port + " is in the ephemeral range");
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertEquals(port, s.getLocalPort());
      }
      ports.add(port);
    }
    assertEquals(20, ports.size(), "successive calls hand out different ports: " + ports);
  }

  @Test
  void aPortInUseIsNotFree() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertTrue(!LoopbackPorts.isFree(s.getLocalPort()));
    }
  }
}
