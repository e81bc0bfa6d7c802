package io.mogul.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gRPC channel per {@code host:port}, shared by every call to that address. A channel
 * multiplexes any number of concurrent calls over one HTTP/2 connection and reconnects on
 * its own, so pooling per address is all the client needs.
 */
final class ChannelPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelPool.class);
  /** Largest message accepted: a chunk (1 MiB) or a small blob plus framing. */
  static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private final ConcurrentMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ManagedChannel get(String address) {
    if (closed) {
      throw new IllegalStateException("client is closed");
    }
    return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a)
        .usePlaintext()
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .keepAliveTime(30, TimeUnit.SECONDS)
        .build());
  }

  @Override
  public void close() {
    closed = true;
    for (ManagedChannel channel : channels.values()) {
      channel.shutdown();
    }
    for (var entry : channels.entrySet()) {
      try {
        if (!entry.getValue().awaitTermination(2, TimeUnit.SECONDS)) {
          entry.getValue().shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        entry.getValue().shutdownNow();
      }
    }
    LOG.debug("closed {} channels", channels.size());
    channels.clear();
  }
}
