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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Every tracker's status as the tracker reports it, asked through the trackers' client
 * API. A tracker that does not answer within {@link #DEADLINE_MS} is reported with role
 * UNREACHABLE and the reason in its error field; the futures never fail. The feature level
 * each tracker last answered with is remembered, and {@link LeaderDuties} asks regularly,
 * so that a leader knows the levels of trackers that stop answering.
 */
public final class PeerStatuses {
  static final long DEADLINE_MS = 2_000;

  private final Map<String, Integer> lastLevels = new ConcurrentHashMap<>();
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
    return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<TrackerStatus> all = statuses.stream().map(CompletableFuture::join).toList();
      for (TrackerStatus s : all) {
        if (s.getRole() != RaftRole.UNREACHABLE) {
          lastLevels.put(s.getPeerId(), s.getFeatureLevel());
        }
      }
      return all;
    });
  }

  private CompletableFuture<TrackerStatus> of(TrackerConfig.Peer peer) {
    if (peer.id.equals(config.id)) {
      try {
        return CompletableFuture.completedFuture(self.get());
      } catch (RuntimeException e) {
        return CompletableFuture.completedFuture(unreachable(peer, e));
      }
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
            f.complete(unreachable(peer, t));
          }

          @Override
          public void onCompleted() {
            // onNext completed the future.
          }
        });
    return f;
  }

  private static TrackerStatus unreachable(TrackerConfig.Peer peer, Throwable why) {
    return TrackerStatus.newBuilder().setPeerId(peer.id).setAddress(peer.address).setRole(RaftRole.UNREACHABLE)
        .setError(Calls.toMogul(why).getMessage()).build();
  }

  /**
   * Completes once every tracker has reported at least {@code level}, now or, for one that
   * does not answer now (stopped, paused, cut off), when it last answered: it is the same
   * build when it comes back unless it was downgraded meanwhile, which the group does not
   * support. Fails with UPGRADE_REQUIRED naming the trackers of older builds, else with
   * UNAVAILABLE (retriable) naming the silent trackers never heard from.
   */
  public CompletableFuture<Void> requireLevel(int level) {
    return all().thenAccept(statuses -> checkLevel(statuses, lastLevels, level));
  }

  /** The rule of {@link #requireLevel} over statuses already gathered and the levels last answered. */
  static void checkLevel(List<TrackerStatus> statuses, Map<String, Integer> lastLevels, int level) {
    List<String> older = new ArrayList<>();
    List<String> silent = new ArrayList<>();
    for (TrackerStatus s : statuses) {
      Integer known = s.getRole() == RaftRole.UNREACHABLE ? lastLevels.get(s.getPeerId()) : (Integer) s.getFeatureLevel();
      if (known == null) {
        silent.add(s.getPeerId() + " (" + s.getError() + ")");
      } else if (known < level) {
        older.add(s.getPeerId() + " at level " + known);
      }
    }
    String what = FeatureLevel.describe(level) + " needs every tracker at feature level " + level + " or later";
    if (!older.isEmpty()) {
      throw new MogulException(ErrorReason.UPGRADE_REQUIRED, what + "; upgrade " + String.join(", ", older));
    }
    if (!silent.isEmpty()) {
      throw new MogulException(ErrorReason.UNAVAILABLE, what + ", and these trackers never answered with theirs: "
          + String.join(", ", silent));
    }
  }
}
