package io.mogul.gateway.ui;

import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListDomainsResponse;

/**
 * The read-only view of the cluster the dashboard shows. Calls may block; failures are
 * {@code MogulException}s.
 */
public interface ClusterView {
  /** Every tracker's Raft view, plus hosts and devices with their states and usage. */
  ClusterCheck check();

  /** Domains with their classes, file counts and bytes. */
  ListDomainsResponse domains();

  /** Totals and queue depths (deletions, open uploads, under-replicated files). */
  ClusterStats stats();

  /** The fsck's state and the progress of its current (or last) pass. */
  FsckStatus fsck();
}
