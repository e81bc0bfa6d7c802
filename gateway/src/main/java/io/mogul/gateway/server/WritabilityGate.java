package io.mogul.gateway.server;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Lets a blocking writer wait until the connection can take more data, so a slow
 * reader never makes the gateway buffer a large body in memory.
 */
final class WritabilityGate {
  private final Channel channel;

  WritabilityGate(Channel channel) {
    this.channel = channel;
  }

  /** Event loop: writability or activity changed. */
  synchronized void changed() {
    notifyAll();
  }

  /** Blocks until the channel is writable; fails if it closes first. */
  synchronized void await() throws IOException {
    while (!channel.isWritable()) {
      if (!channel.isActive()) {
        throw new IOException("connection closed by the client");
      }
      try {
        // Bounded wait: a wake-up lost between the check and wait() costs at most this long.
        wait(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the client");
      }
    }
    if (!channel.isActive()) {
      throw new IOException("connection closed by the client");
    }
  }
}
