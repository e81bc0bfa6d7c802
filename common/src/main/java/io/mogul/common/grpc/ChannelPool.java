package io.mogul.common.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * One plaintext gRPC channel per address, created on first use and shared by every caller;
 * thread-safe. Used by clients, by trackers forwarding to their leader and by datanodes
 * pulling from peers.
 */
public final class ChannelPool implements AutoCloseable {
  /** Largest message accepted: a 1 MiB chunk, or a small blob up to 16 MiB, plus framing. */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 4096;

  private final ConcurrentMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** The channel to {@code address} (host:port). */
  public ManagedChannel get(String address) {
    if (closed) {
      throw new IllegalStateException("channel pool is closed");
    }
    return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
        .usePlaintext()
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .build());
  }

  /** Shuts every channel down, giving calls in flight up to 2 seconds to finish. */
  @Override
  public void close() {
    closed = true;
    for (ManagedChannel channel : channels.values()) {
      channel.shutdown();
    }
    for (ManagedChannel channel : channels.values()) {
      try {
        if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        channel.shutdownNow();
      }
    }
    channels.clear();
  }
}
