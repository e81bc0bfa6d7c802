package io.mogul.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.common.grpc.ChannelPool;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ErrorReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One long-lived pipelined datanode call per datanode (WriteSmallStream, ReadSmallStream),
 * shared by every concurrent caller of this client: an item costs one message each way
 * instead of a call of its own. Each request gets exactly one reply, in completion order,
 * matched to its request by (fid, device).
 *
 * <p>An item that times out fails alone; a call that breaks fails the items waiting on it,
 * and the next item for that datanode opens a new call. Requests are handed to gRPC without
 * waiting for {@code isReady()}: callers hold each item's data anyway and their number is
 * bounded by their own concurrency, and the datanode paces the call by reading requests
 * only while few enough items are outstanding.
 *
 * @param <Q> request of one item
 * @param <R> reply of one item
 */
final class PipelinedStreams<Q, R> implements AutoCloseable {
  /** Starts the pipelined call on a datanode stub. */
  interface Opener<Q, R> {
    StreamObserver<Q> open(DataNodeGrpc.DataNodeStub stub, StreamObserver<R> replies);
  }

  /** What matches a reply to its request. */
  record Key(long fid, int deviceId) {}

  private final ChannelPool channels;
  private final Opener<Q, R> opener;
  private final Function<Q, Key> requestKey;
  private final Function<R, Key> replyKey;
  private final String what;
  private final Map<String, Stream> streams = new ConcurrentHashMap<>();

  PipelinedStreams(ChannelPool channels, Opener<Q, R> opener, Function<Q, Key> requestKey,
      Function<R, Key> replyKey, String what) {
    this.channels = channels;
    this.opener = opener;
    this.requestKey = requestKey;
    this.replyKey = replyKey;
    this.what = what;
  }

  /** Sends one item to the datanode at {@code address}; completes with its reply, or fails with UNAVAILABLE. */
  CompletableFuture<R> call(String address, Q request, long deadlineNanos) {
    CompletableFuture<R> reply = new CompletableFuture<>();
    Stream stream = streams.computeIfAbsent(address, this::open);
    stream.send(request, reply);
    long remaining = Math.max(1, deadlineNanos - System.nanoTime());
    reply.orTimeout(remaining, TimeUnit.NANOSECONDS).whenComplete((r, e) -> {
      if (e != null) {
        stream.forget(request, reply);
      }
    });
    return reply.exceptionallyCompose(e -> CompletableFuture.failedFuture(new MogulException(
        ErrorReason.UNAVAILABLE, what + " on " + address + " failed: " + GrpcFutures.unwrap(e).getMessage(), e)));
  }

  private Stream open(String address) {
    Stream stream = new Stream(address);
    opener.open(DataNodeGrpc.newStub(channels.get(address)), stream);
    return stream;
  }

  @Override
  public void close() {
    for (Stream s : new ArrayList<>(streams.values())) {
      s.cancel();
    }
  }

  /** One call and the items waiting for their replies on it. */
  private final class Stream implements ClientResponseObserver<Q, R> {
    private final String address;
    private final Map<Key, ArrayDeque<CompletableFuture<R>>> waiting = new HashMap<>();
    private ClientCallStreamObserver<Q> requests;
    private Throwable broken;

    Stream(String address) {
      this.address = address;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
      this.requests = requestStream;
    }

    synchronized void send(Q request, CompletableFuture<R> reply) {
      if (broken != null) {
        reply.completeExceptionally(broken);
        return;
      }
      waiting.computeIfAbsent(requestKey.apply(request), k -> new ArrayDeque<>()).add(reply);
      requests.onNext(request);
    }

    synchronized void forget(Q request, CompletableFuture<R> reply) {
      Key key = requestKey.apply(request);
      ArrayDeque<CompletableFuture<R>> q = waiting.get(key);
      if (q != null && q.remove(reply) && q.isEmpty()) {
        waiting.remove(key);
      }
    }

    @Override
    public void onNext(R reply) {
      CompletableFuture<R> waiter;
      synchronized (this) {
        Key key = replyKey.apply(reply);
        ArrayDeque<CompletableFuture<R>> q = waiting.get(key);
        waiter = q == null ? null : q.poll();
        if (q != null && q.isEmpty()) {
          waiting.remove(key);
        }
      }
      if (waiter != null) {
        waiter.complete(reply);   // a reply with no waiter belongs to an item that timed out
      }
    }

    @Override
    public void onError(Throwable t) {
      fail(t);
    }

    @Override
    public void onCompleted() {
      fail(new MogulException(ErrorReason.UNAVAILABLE, "datanode " + address + " ended the " + what + " call"));
    }

    void cancel() {
      ClientCallStreamObserver<Q> r;
      synchronized (this) {
        r = requests;
      }
      if (r != null) {
        r.cancel("client closed", null);
      }
      fail(new MogulException(ErrorReason.UNAVAILABLE, "client closed"));
    }

    private void fail(Throwable t) {
      List<CompletableFuture<R>> pending = new ArrayList<>();
      synchronized (this) {
        if (broken == null) {
          broken = t;
        }
        waiting.values().forEach(pending::addAll);
        waiting.clear();
      }
      streams.remove(address, this);
      pending.forEach(f -> f.completeExceptionally(t));
    }
  }
}
