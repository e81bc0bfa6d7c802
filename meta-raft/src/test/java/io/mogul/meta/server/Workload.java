package io.mogul.meta.server;

import io.grpc.StatusRuntimeException;
import io.mogul.common.MogulException;
import io.mogul.proto.AttributeMode;
import io.mogul.proto.ClassRef;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.DomainRef;
import io.mogul.proto.FileKey;
import io.mogul.proto.RenameRequest;
import io.mogul.proto.SetAttributesRequest;
import io.mogul.proto.Setting;
import io.mogul.proto.UpdateFileClassRequest;
import java.util.Random;

/** Random metadata commands (valid and invalid) sent to random trackers of a cluster. */
final class Workload {
  private final TrackerCluster cluster;
  private final Random random;
  int succeeded;
  int rejected;

  Workload(TrackerCluster cluster, long seed) {
    this.cluster = cluster;
    this.random = new Random(seed);
  }

  private int via() {
    while (true) {
      int i = random.nextInt(cluster.size());
      if (cluster.running(i)) {
        return i;
      }
    }
  }

  private String domain() {
    return "d" + random.nextInt(3);
  }

  private String key() {
    return "k" + random.nextInt(40);
  }

  void put(int via, String domain, String key) {
    TrackerCluster.retrying(() -> {
      CreateOpenResponse open = cluster.tracker(via).createOpen(CreateOpenRequest.newBuilder()
          .setDomain(domain).setKey(key).build());
      CreateCloseRequest.Builder close = CreateCloseRequest.newBuilder().setDomain(domain).setKey(key)
          .setFid(open.getFid()).setLength(random.nextInt(1 << 20)).setCrc32C(random.nextInt())
          .putAttributes("n", Integer.toString(random.nextInt(100)));
      for (int i = 0; i < open.getMindevcount(); i++) {
        close.addDeviceIds(open.getDevices(i).getDeviceId());
      }
      return cluster.tracker(via).createClose(close.build());
    });
  }

  /** Runs one random command; failures with a typed, non-retriable reason count as rejected. */
  void step() {
    int via = via();
    int op = random.nextInt(10);
    try {
      TrackerCluster.retrying(() -> {
        Object unused = switch (op) {
          case 0 -> cluster.admin(via).createDomain(DomainRef.newBuilder().setName(domain()).build());
          case 1 -> cluster.admin(via).createClass(ClassSpec.newBuilder().setDomain(domain()).setName("c" + random.nextInt(2))
              .setMindevcount(1 + random.nextInt(2)).build());
          case 2 -> cluster.tracker(via).delete(FileKey.newBuilder().setDomain(domain()).setKey(key()).build());
          case 3 -> cluster.tracker(via).rename(RenameRequest.newBuilder().setDomain(domain()).setFromKey(key())
              .setToKey(key()).build());
          case 4 -> cluster.tracker(via).setAttributes(SetAttributesRequest.newBuilder().setDomain(domain()).setKey(key())
              .putAttributes("a", "v" + random.nextInt(5)).setMode(random.nextBoolean()
                  ? AttributeMode.ATTRIBUTE_MODE_MERGE : AttributeMode.ATTRIBUTE_MODE_OVERWRITE).build());
          case 5 -> cluster.tracker(via).updateFileClass(UpdateFileClassRequest.newBuilder().setDomain(domain())
              .setKey(key()).setStorageClass(random.nextBoolean() ? "" : "c0").build());
          case 6 -> cluster.admin(via).deleteClass(ClassRef.newBuilder().setDomain(domain()).setName("c1").build());
          case 7 -> cluster.admin(via).setSetting(Setting.newBuilder().setName("rebalance.enabled")
              .setValue(Boolean.toString(random.nextBoolean())).build());
          default -> {
            put(via, domain(), key());
            yield Boolean.TRUE;
          }
        };
        return unused;
      });
      succeeded++;
    } catch (MogulException | StatusRuntimeException e) {
      rejected++;
    }
  }
}
