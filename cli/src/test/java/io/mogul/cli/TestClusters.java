package io.mogul.cli;

import io.mogul.launcher.ProcessCluster;
import io.mogul.client.MogulClient;
import io.mogul.common.MogulException;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Starts the process clusters integration tests share, through the one launcher. */
final class TestClusters {
  private TestClusters() {}

  /** 3 trackers and 3 datanodes (2 devices each) under {@code dir}, ready to use. */
  static ProcessCluster start(Path dir) throws IOException, InterruptedException {
    return ProcessCluster.builder(dir).trackers(3).datanodes(3).devicesPerDatanode(2)
        .reserveBytes(16L * 1024 * 1024)
        .trackerOverrides(List.of("monitor.heartbeatTimeoutMs=3000"))
        .datanodeOverrides(List.of("heartbeatIntervalMs=500"))
        .start(Duration.ofMinutes(2));
  }

  /** Creates a domain whose default class keeps {@code copies} copies. */
  static void createDomain(MogulClient client, String domain, int copies) {
    try {
      client.admin(a -> a.createDomain(DomainRef.newBuilder().setName(domain).build()));
    } catch (MogulException e) {
      if (e.reason() != ErrorReason.DOMAIN_EXISTS) {
        throw e;
      }
    }
    client.admin(a -> a.updateClass(ClassSpec.newBuilder().setDomain(domain).setName("default")
        .setMindevcount(copies).build()));
  }
}
