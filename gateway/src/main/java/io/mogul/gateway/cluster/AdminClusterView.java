package io.mogul.gateway.cluster;

import io.mogul.client.MogulClient;
import io.mogul.gateway.ui.ClusterView;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.Empty;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListDomainsResponse;
import io.mogul.proto.ListRequest;
import io.mogul.proto.ReadOptions;

/**
 * The dashboard's view through the trackers' Admin API. Listings are stale reads from
 * whichever tracker answers, so the dashboard keeps working while there is no leader.
 */
public final class AdminClusterView implements ClusterView {
  private static final ListRequest STALE =
      ListRequest.newBuilder().setRead(ReadOptions.newBuilder().setStaleOk(true)).build();

  private final MogulClient client;

  public AdminClusterView(MogulClient client) {
    this.client = client;
  }

  @Override
  public ClusterCheck check() {
    return client.admin(a -> a.checkCluster(Empty.getDefaultInstance()));
  }

  @Override
  public ListDomainsResponse domains() {
    return client.admin(a -> a.listDomains(STALE));
  }

  @Override
  public ClusterStats stats() {
    return client.admin(a -> a.getStats(STALE));
  }

  @Override
  public FsckStatus fsck() {
    return client.admin(a -> a.getFsckStatus(STALE));
  }
}
