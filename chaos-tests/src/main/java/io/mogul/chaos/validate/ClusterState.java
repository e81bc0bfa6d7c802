package io.mogul.chaos.validate;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mogul.proto.AdminGrpc;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.Empty;
import io.mogul.proto.FidSummary;
import io.mogul.proto.HostInfo;
import io.mogul.proto.ListClassesRequest;
import io.mogul.proto.ListFidsRequest;
import io.mogul.proto.ListFidsResponse;
import io.mogul.proto.ListRequest;
import io.mogul.proto.ReadOptions;
import io.mogul.proto.TrackerGrpc;
import io.mogul.proto.TrackerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the replicated state of each tracker from its own replica (stale reads), to
 * compare trackers with each other and to count copies per file.
 */
public final class ClusterState implements AutoCloseable {
  private final List<String> addresses;
  private final List<ManagedChannel> channels = new ArrayList<>();

  public ClusterState(List<String> trackerAddresses) {
    this.addresses = List.copyOf(trackerAddresses);
    for (String a : addresses) {
      channels.add(NettyChannelBuilder.forTarget(a).usePlaintext().build());
    }
  }

  /** The persisted part of one tracker's state, in a comparable text form. */
  public record Snapshot(String tracker, long appliedIndex, List<String> lines) {}

  /** Files with fewer locations than {@code mindevcount}, and the total, as any tracker sees them. */
  public long[] underReplicated(int mindevcount) {
    RuntimeException last = null;
    for (ManagedChannel ch : channels) {
      try {
        long files = 0;
        long shortOf = 0;
        for (FidSummary f : allFids(ch, false)) {
          files++;
          if (f.getDeviceIdsCount() < mindevcount) {
            shortOf++;
          }
        }
        return new long[] {shortOf, files};
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Each tracker's state, read from its own replica. */
  public List<Snapshot> snapshots() {
    List<Snapshot> out = new ArrayList<>();
    for (int i = 0; i < channels.size(); i++) {
      ManagedChannel ch = channels.get(i);
      AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
      TrackerStatus status = admin.getTrackerStatus(Empty.getDefaultInstance());
      ListRequest stale = ListRequest.newBuilder().setRead(ReadOptions.newBuilder().setStaleOk(true)).build();
      List<String> lines = new ArrayList<>();
      for (FidSummary f : allFids(ch, true)) {
        lines.add("fid " + f.getFid() + " " + f.getDomain() + "/" + f.getKey() + " class=" + f.getStorageClass()
            + " len=" + f.getLength() + " devices=" + f.getDeviceIdsList().stream().sorted().toList());
      }
      admin.listDomains(stale).getDomainsList().forEach(d -> lines.add("domain " + d.getName()));
      admin.listClasses(ListClassesRequest.newBuilder().setRead(stale.getRead()).build()).getClassesList()
          .forEach(c -> lines.add("class " + c.getDomain() + "/" + c.getName() + " min=" + c.getMindevcount()
              + " policy=" + c.getPolicy()));
      for (HostInfo h : admin.listHosts(stale).getHostsList()) {
        lines.add("host " + h.getHostId() + " " + h.getName() + " " + h.getAddress() + " " + h.getState());
      }
      for (DeviceInfo d : admin.listDevices(stale).getDevicesList()) {
        lines.add("device " + d.getDeviceId() + " host=" + d.getHostId() + " " + d.getState() + " w=" + d.getWeight());
      }
      out.add(new Snapshot(addresses.get(i), status.getAppliedIndex(), lines));
    }
    return out;
  }

  private static List<FidSummary> allFids(ManagedChannel ch, boolean stale) {
    TrackerGrpc.TrackerBlockingStub tracker = TrackerGrpc.newBlockingStub(ch);
    List<FidSummary> all = new ArrayList<>();
    long after = 0;
    while (true) {
      ListFidsResponse page = tracker.withDeadlineAfter(30, TimeUnit.SECONDS).listFids(ListFidsRequest.newBuilder()
          .setAfterFid(after).setLimit(1000).setRead(ReadOptions.newBuilder().setStaleOk(stale)).build());
      all.addAll(page.getFidsList());
      if (page.getNextAfter() == 0 || page.getFidsCount() == 0) {
        return all;
      }
      after = page.getNextAfter();
    }
  }

  @Override
  public void close() {
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
  }
}
