package io.mogul.gateway.server;

import io.mogul.gateway.ui.RecentErrors;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * Writes the one response of one request: keep-alive handling, the metrics and error log
 * entry, and resuming reads on the connection once the response is complete (requests on
 * a connection are handled one at a time).
 */
final class Responder {
  private final ChannelHandlerContext ctx;
  private final GatewayMetrics metrics;
  private final RecentErrors errors;
  private final String method;
  private final String path;
  private final long startNanos = System.nanoTime();
  private int status;
  /** Set once any part of the response went out; later errors can only close the connection. */
  private boolean committed;

  Responder(ChannelHandlerContext ctx, GatewayMetrics metrics, RecentErrors errors, String method, String path) {
    this.ctx = ctx;
    this.metrics = metrics;
    this.errors = errors;
    this.method = method;
    this.path = path;
  }

  /** Whether any part of the response went out (an error can then only close the connection). */
  boolean committed() {
    return committed;
  }

  static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    return r;
  }

  void send(FullHttpResponse r, HttpRequest req) {
    // A 304 has no body and must not announce one: a Content-Length on it would have to be
    // the 200's length (RFC 9110 section 8.6), so it carries none.
    if (!r.status().equals(HttpResponseStatus.NOT_MODIFIED) && !r.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    }
    boolean keepAlive = keepAlive(r, req);
    status = r.status().code();
    committed = true;
    finish(ctx.writeAndFlush(r), keepAlive);
  }

  void sendHeadersOnly(HttpResponse headers, HttpRequest req) {
    boolean keepAlive = keepAlive(headers, req);
    status = headers.status().code();
    committed = true;
    ctx.write(headers);
    finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
  }

  void beginStream(HttpResponse headers, HttpRequest req) {
    keepAlive(headers, req);
    status = headers.status().code();
    committed = true;
    ctx.writeAndFlush(headers);
  }

  /** Ends a streamed body; a body that could not be completed closes the connection. */
  void endStream(HttpRequest req, boolean complete) {
    if (!complete) {
      record("body cut short");
      ctx.close();
      return;
    }
    finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), HttpUtil.isKeepAlive(req));
  }

  void error(HttpResponseStatus s, String message, HttpRequest req) {
    if (committed) {
      ctx.close();
      return;
    }
    FullHttpResponse r = text(s, s.code() + " " + s.reasonPhrase() + ": " + message + "\n");
    if (req == null) {
      status = s.code();
      finish(ctx.writeAndFlush(r), false);
    } else {
      send(r, req);
    }
    record(message);
  }

  private void record(String message) {
    if (status >= 500 || message.equals("body cut short")) {
      errors.add(new RecentErrors.Entry(System.currentTimeMillis(), method, path, status, message));
    }
  }

  private static boolean keepAlive(HttpResponse r, HttpRequest req) {
    boolean keepAlive = req != null && HttpUtil.isKeepAlive(req);
    if (keepAlive && req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    } else if (!keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return keepAlive;
  }

  private void finish(ChannelFuture f, boolean keepAlive) {
    metrics.request(method, status, System.nanoTime() - startNanos);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    f.addListener(RESUME_READING);
  }

  /**
   * Once a keep-alive response is written: read the connection's next request if reading
   * was stopped for this one (turning auto-read back on also asks for the next read).
   */
  private static final ChannelFutureListener RESUME_READING = done -> {
    if (done.isSuccess()) {
      ChannelConfig config = done.channel().config();
      if (!config.isAutoRead()) {
        config.setAutoRead(true);
      }
    } else {
      done.channel().close();
    }
  };
}
