package io.mogul.gateway.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mogul.gateway.cache.BlobCache;
import io.mogul.gateway.cache.VersionCache;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.ui.ClusterView;
import io.mogul.gateway.ui.Dashboard;
import io.mogul.gateway.ui.RecentErrors;
import io.mogul.gateway.ui.SharedClusterView;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.flow.FlowControlHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/** The HTTP front door: serves stored files by URL, the dashboard and metrics. */
public final class GatewayServer implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final ExecutorService workers;
  private final Channel channel;

  private GatewayServer(EventLoopGroup boss, EventLoopGroup io, ExecutorService workers, Channel channel) {
    this.boss = boss;
    this.io = io;
    this.workers = workers;
    this.channel = channel;
  }

  /** Binds {@code config.listen} and serves until {@link #close()}. */
  public static GatewayServer start(GatewayConfig config, FileSource source, ClusterView view,
      PrometheusMeterRegistry registry) throws IOException {
    return start(config, source, view, registry, System::nanoTime);
  }

  /**
   * As {@link #start(GatewayConfig, FileSource, ClusterView, PrometheusMeterRegistry)},
   * with the nanosecond clock that ages cached key versions (tests move it by hand).
   */
  public static GatewayServer start(GatewayConfig config, FileSource source, ClusterView view,
      PrometheusMeterRegistry registry, LongSupplier cacheClock) throws IOException {
    RecentErrors errors = new RecentErrors(50);
    GatewayMetrics metrics = new GatewayMetrics(registry);
    VersionCache versions = new VersionCache(source, config.cache.metadataTtlMs, config.cache.metadataMaxEntries,
        cacheClock, registry);
    BlobCache blobs = new BlobCache(config.cache.maxBytes, config.cache.maxBlobBytes, registry);
    FileRequests files = new FileRequests(config, source, versions, blobs, metrics);
    // Every open dashboard polls once per refresh interval: they share the cluster's answers.
    ClusterView shared = new SharedClusterView(view, TimeUnit.MILLISECONDS.toNanos(config.uiRefreshMs), System::nanoTime);
    Dashboard dashboard = new Dashboard(shared, errors, config.uiRefreshMs);
    AtomicInteger n = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(config.workerThreads, r -> {
      Thread t = new Thread(r, "gateway-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoopGroup io = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
    ServerBootstrap b = new ServerBootstrap()
        .group(boss, io)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(config.chunkBytes, 4 * config.chunkBytes))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new HttpServerCodec())
                // Holds back pipelined requests while auto-read is off, so a connection's
                // requests are answered one at a time and in order.
                .addLast(new FlowControlHandler())
                .addLast(new HttpServerExpectContinueHandler())
                .addLast(new GatewayHandler(files, dashboard, registry, metrics, errors, workers));
          }
        });
    int colon = config.listen.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("listen must be host:port, got '" + config.listen + "'");
    }
    InetSocketAddress bind = new InetSocketAddress(config.listen.substring(0, colon),
        Integer.parseInt(config.listen.substring(colon + 1)));
    try {
      Channel ch = b.bind(bind).sync().channel();
      return new GatewayServer(boss, io, workers, ch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + config.listen, e);
    } catch (RuntimeException e) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownNow();
      throw new IOException("cannot listen on " + config.listen + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    workers.shutdownNow();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
