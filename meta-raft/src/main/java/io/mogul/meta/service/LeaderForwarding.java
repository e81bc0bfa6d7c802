package io.mogul.meta.service;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.proto.ErrorReason;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a write locally on the leader, or forwards the client's call unchanged to the
 * leader's client address. A forwarded call is marked so that it is never forwarded
 * twice (during an election the receiver answers NOT_LEADER, which clients retry).
 */
public final class LeaderForwarding {
  static final Metadata.Key<String> FORWARDED = Metadata.Key.of("mogul-forwarded", Metadata.ASCII_STRING_MARSHALLER);
  /**
   * Response header naming the leader's client address, sent by a follower so that clients
   * can send their next calls straight to the leader instead of through a forwarding hop.
   */
  public static final Metadata.Key<String> LEADER = Metadata.Key.of("mogul-leader", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Boolean> WAS_FORWARDED = Context.key("mogul-forwarded");
  private static final long FORWARD_DEADLINE_MS = 30_000;

  private final TrackerCore core;
  private final Map<String, String> addressById = new ConcurrentHashMap<>();

  public LeaderForwarding(TrackerCore core) {
    this.core = core;
    for (TrackerConfig.Peer p : core.config().peers) {
      addressById.put(p.id, p.address);
    }
  }

  /** Marks calls that another tracker forwarded. */
  public static ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next) {
        boolean forwarded = headers.containsKey(FORWARDED);
        return Contexts.interceptCall(Context.current().withValue(WAS_FORWARDED, forwarded), call, headers, next);
      }
    };
  }

  /** Adds the {@link #LEADER} header to every answer of a follower that knows the leader. */
  public ServerInterceptor leaderHint() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            String leader = leaderAddressIfElsewhere();
            if (leader != null) {
              responseHeaders.put(LEADER, leader);
            }
            super.sendHeaders(responseHeaders);
          }
        }, headers);
      }
    };
  }

  /** The leader's client address when another tracker leads, else null. */
  private String leaderAddressIfElsewhere() {
    try {
      String leader = core.raft().leaderId();
      return leader == null || leader.equals(core.raft().selfId().toString()) ? null : addressOf(leader);
    } catch (MogulException e) {
      return null;   // no group yet: nothing to hint
    }
  }

  public String addressOf(String peerId) {
    return addressById.get(peerId);
  }

  /** Executes a write: locally on the leader, else on the leader through its client API. */
  public <Q, R> void write(MethodDescriptor<Q, R> method, Q request, StreamObserver<R> out,
                           Supplier<CompletableFuture<R>> local) {
    String leader;
    try {
      leader = core.raft().leaderId();
    } catch (RuntimeException e) {
      out.onError(Calls.toMogul(e).toStatusException());
      return;
    }
    String self = core.raft().selfId().toString();
    if (self.equals(leader) || Boolean.TRUE.equals(WAS_FORWARDED.get())) {
      Calls.reply(Calls.call(local), out);
      return;
    }
    String address = leader == null ? null : addressOf(leader);
    if (address == null) {
      out.onError(new MogulException(ErrorReason.UNAVAILABLE, "no leader is known right now").toStatusException());
      return;
    }
    Metadata headers = new Metadata();
    headers.put(FORWARDED, self);
    io.grpc.Channel target = io.grpc.ClientInterceptors.intercept(core.peerChannel(address),
        io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    ClientCalls.asyncUnaryCall(target.newCall(method,
        CallOptions.DEFAULT.withDeadlineAfter(FORWARD_DEADLINE_MS, TimeUnit.MILLISECONDS)), request,
        new StreamObserver<R>() {
          @Override
          public void onNext(R value) {
            out.onNext(value);
          }

          @Override
          public void onError(Throwable t) {
            out.onError(MogulException.from(t).toStatusException());
          }

          @Override
          public void onCompleted() {
            out.onCompleted();
          }
        });
  }
}
