package io.mogul.gateway.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mogul.common.MogulException;
import io.mogul.gateway.ui.Dashboard;
import io.mogul.gateway.ui.RecentErrors;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the requests of one connection: {@code /metrics}, {@code /ui} and the
 * dashboard's JSON, and {@code /{domain}/{key}} files. Requests on a connection are
 * handled one at a time: a read answered from memory is answered right here on the event
 * loop; otherwise reading stops while a worker thread produces the response.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayHandler.class);

  private final FileRequests files;
  private final Dashboard dashboard;
  private final PrometheusMeterRegistry registry;
  private final GatewayMetrics metrics;
  private final RecentErrors errors;
  private final ExecutorService workers;
  private WritabilityGate gate;
  private BodyStream body;

  GatewayHandler(FileRequests files, Dashboard dashboard, PrometheusMeterRegistry registry,
      GatewayMetrics metrics, RecentErrors errors, ExecutorService workers) {
    this.files = files;
    this.dashboard = dashboard;
    this.registry = registry;
    this.metrics = metrics;
    this.errors = errors;
    this.workers = workers;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    gate = new WritabilityGate(ctx.channel());
    ctx.fireChannelActive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    gate.changed();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    gate.changed();
    if (body != null) {
      body.fail(new IOException("connection closed before the request body ended"));
      body = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest req) {
      onRequest(ctx, req);
    }
    if (msg instanceof HttpContent content) {
      if (body != null) {
        body.offer(content.content().retain());
        if (content instanceof LastHttpContent) {
          body.end();
          body = null;
        }
      }
    }
    ReferenceCountUtil.release(msg);
  }

  private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    HttpMethod method = req.method();
    Responder out = new Responder(ctx, metrics, errors, method.name(), path);
    if (!req.decoderResult().isSuccess()) {
      out.error(HttpResponseStatus.BAD_REQUEST, "malformed request", null);
      return;
    }
    boolean readOnly = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    if (path.equals("/metrics") || path.equals("/ui") || path.equals("/ui/") || path.startsWith("/ui/api/")) {
      if (!readOnly) {
        notAllowed(out, req, "GET, HEAD");
        return;
      }
      ctx.channel().config().setAutoRead(false);
      offload(out, req, () -> serveInternal(path, req, out));
      return;
    }
    if (readOnly) {
      FileRequests.PendingRead pending;
      try {
        pending = files.startRead(req, path, out);
      } catch (RuntimeException e) {
        fail(out, req, e);
        return;
      }
      if (pending != null) {
        ctx.channel().config().setAutoRead(false);
        offload(out, req, () -> files.finishRead(ctx, req, pending, gate, out));
      }
    } else if (method.equals(HttpMethod.PUT) || method.equals(HttpMethod.DELETE)) {
      if (!files.writesEnabled()) {
        notAllowed(out, req, "GET, HEAD");
        return;
      }
      if (!files.authorized(req, out)) {
        return;
      }
      if (method.equals(HttpMethod.PUT)) {
        BodyStream stream = new BodyStream(ctx.channel());
        body = stream;
        offload(out, req, () -> {
          try (stream) {
            files.put(req, path, stream, out);
          }
        });
      } else {
        ctx.channel().config().setAutoRead(false);
        offload(out, req, () -> files.delete(req, path, out));
      }
    } else {
      notAllowed(out, req, files.writesEnabled() ? "GET, HEAD, PUT, DELETE" : "GET, HEAD");
    }
  }

  private void serveInternal(String path, HttpRequest req, Responder out) {
    FullHttpResponse r;
    if (path.equals("/metrics")) {
      r = Responder.text(HttpResponseStatus.OK, registry.scrape());
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    } else if (path.startsWith("/ui/api/")) {
      if (!path.equals("/ui/api/cluster")) {
        out.error(HttpResponseStatus.NOT_FOUND, "no such dashboard resource", req);
        return;
      }
      r = Responder.text(HttpResponseStatus.OK, dashboard.json());
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
      r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    } else {
      r = Responder.text(HttpResponseStatus.OK, dashboard.page());
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
      r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }
    if (req.method().equals(HttpMethod.HEAD)) {
      r.content().clear();
    }
    out.send(r, req);
  }

  private static void notAllowed(Responder out, HttpRequest req, String allow) {
    FullHttpResponse r = Responder.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
        "405 Method Not Allowed: " + req.method() + " is not served here\n");
    r.headers().set(HttpHeaderNames.ALLOW, allow);
    out.send(r, req);
  }

  private interface Work {
    void run() throws IOException;
  }

  private void offload(Responder out, HttpRequest req, Work work) {
    try {
      workers.execute(() -> {
        try {
          work.run();
        } catch (IOException | RuntimeException e) {
          fail(out, req, e);
        }
      });
    } catch (RejectedExecutionException e) {
      out.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "gateway is shutting down", req);
    }
  }

  /** Answers a failed request: typed cluster errors by their reason, anything else with 500. */
  private static void fail(Responder out, HttpRequest req, Exception e) {
    // Streams report cluster failures as an IOException around the typed error.
    MogulException typed = e instanceof MogulException m ? m
        : e.getCause() instanceof MogulException m ? m : null;
    if (typed != null) {
      out.error(StatusMapping.of(typed.reason()), typed.reason() + ": " + typed.getMessage(), req);
    } else {
      LOG.warn("{} {} failed", req.method(), req.uri(), e);
      out.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(e.getMessage()), req);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection error", cause);
    ctx.close();
  }
}
