package io.mogul.gateway.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A request body handed from the event loop to a blocking reader. Memory stays bounded:
 * once more than {@link #HIGH_WATER} bytes wait, the channel stops reading from the
 * socket until the reader has caught up to {@link #LOW_WATER}.
 */
final class BodyStream extends InputStream {
  static final int HIGH_WATER = 1 << 20;
  static final int LOW_WATER = 256 << 10;

  private final Channel channel;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean ended;
  private IOException failure;

  BodyStream(Channel channel) {
    this.channel = channel;
  }

  /** Event loop: a piece of the body arrived. Takes ownership of {@code content}. */
  synchronized void offer(ByteBuf content) {
    if (ended || failure != null) {
      content.release();
      return;
    }
    queue.add(content);
    queuedBytes += content.readableBytes();
    if (queuedBytes > HIGH_WATER) {
      channel.config().setAutoRead(false);
    }
    notifyAll();
  }

  /** Event loop: the body is complete. */
  synchronized void end() {
    ended = true;
    notifyAll();
  }

  /** Event loop: the connection went away before the body ended. */
  synchronized void fail(IOException e) {
    failure = e;
    releaseAll();
    notifyAll();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (failure != null) {
        throw failure;
      }
      ByteBuf head = queue.peek();
      if (head != null) {
        int n = Math.min(len, head.readableBytes());
        head.readBytes(b, off, n);
        queuedBytes -= n;
        if (!head.isReadable()) {
          queue.poll().release();
        }
        if (queuedBytes < LOW_WATER && !channel.config().isAutoRead()) {
          channel.config().setAutoRead(true);
        }
        return n;
      }
      if (ended) {
        return -1;
      }
      if (!channel.config().isAutoRead()) {
        channel.config().setAutoRead(true);
      }
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading the request body");
      }
    }
  }

  @Override
  public synchronized void close() {
    releaseAll();
    ended = true;
  }

  private void releaseAll() {
    ByteBuf b;
    while ((b = queue.poll()) != null) {
      b.release();
    }
    queuedBytes = 0;
  }
}
