package io.mogul.meta.service;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.request.FeatureLevel;
import io.mogul.proto.AdminGrpc;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.RaftRole;
import io.mogul.proto.TrackerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every tracker's status as the tracker reports it, asked through the trackers' client
 * API. A tracker that does not answer within {@link #DEADLINE_MS} is reported with role
 * UNREACHABLE and the reason in its error field; the futures never fail.
 */
public final class PeerStatuses {
  static final long DEADLINE_MS = 2_000;

  private final TrackerConfig config;
  private final Supplier<TrackerStatus> self;
  private final Function<String, ManagedChannel> channels;

  public PeerStatuses(TrackerConfig config, Supplier<TrackerStatus> self, Function<String, ManagedChannel> channels) {
    this.config = config;
    this.self = self;
    this.channels = channels;
  }

  /** The status of every configured tracker, in configuration order. */
  public CompletableFuture<List<TrackerStatus>> all() {
    List<CompletableFuture<TrackerStatus>> statuses = new ArrayList<>();
    for (TrackerConfig.Peer peer : config.peers) {
      statuses.add(of(peer));
    }
    return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new))
        .thenApply(v -> statuses.stream().map(CompletableFuture::join).toList());
  }

  private CompletableFuture<TrackerStatus> of(TrackerConfig.Peer peer) {
    if (peer.id.equals(config.id)) {
      return CompletableFuture.completedFuture(self.get());
    }
    CompletableFuture<TrackerStatus> f = new CompletableFuture<>();
    AdminGrpc.newStub(channels.apply(peer.address)).withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS)
        .getTrackerStatus(Empty.getDefaultInstance(), new StreamObserver<>() {
          @Override
          public void onNext(TrackerStatus value) {
            f.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            f.complete(TrackerStatus.newBuilder().setPeerId(peer.id).setAddress(peer.address)
                .setRole(RaftRole.UNREACHABLE).setError(Calls.toMogul(t).getMessage()).build());
          }

          @Override
          public void onCompleted() {
            // onNext completed the future.
          }
        });
    return f;
  }

  /**
   * Completes once every tracker has reported at least {@code level}. Fails with
   * UPGRADE_REQUIRED naming the trackers of older builds, else with UNAVAILABLE (retriable)
   * when a tracker did not answer: it may run an older build and come back.
   */
  public CompletableFuture<Void> requireLevel(int level) {
    return all().thenAccept(statuses -> checkLevel(statuses, level));
  }

  /** The rule of {@link #requireLevel} over statuses already gathered. */
  static void checkLevel(List<TrackerStatus> statuses, int level) {
    List<String> older = new ArrayList<>();
    List<String> silent = new ArrayList<>();
    for (TrackerStatus s : statuses) {
      if (s.getRole() == RaftRole.UNREACHABLE) {
        silent.add(s.getPeerId() + " (" + s.getError() + ")");
      } else if (s.getFeatureLevel() < level) {
        older.add(s.getPeerId() + " at level " + s.getFeatureLevel());
      }
    }
    String what = FeatureLevel.describe(level) + " needs every tracker at feature level " + level + " or later";
    if (!older.isEmpty()) {
      throw new MogulException(ErrorReason.UPGRADE_REQUIRED, what + "; upgrade " + String.join(", ", older));
    }
    if (!silent.isEmpty()) {
      throw new MogulException(ErrorReason.UNAVAILABLE, what + ", and these trackers did not answer: "
          + String.join(", ", silent));
    }
  }
}
