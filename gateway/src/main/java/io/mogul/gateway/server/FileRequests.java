package io.mogul.gateway.server;

import io.mogul.common.MogulException;
import io.mogul.gateway.http.ByteRange;
import io.mogul.gateway.http.ContentTypes;
import io.mogul.gateway.http.KeyPath;
import io.mogul.gateway.http.Preconditions;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import io.mogul.proto.ErrorReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Serves {@code /{domain}/{key}}: GET and HEAD with validators, ranges and conditional
 * requests; PUT and DELETE behind a bearer token. Runs on a worker thread, never on the
 * event loop, because every cluster call blocks.
 */
final class FileRequests {
  private final GatewayConfig config;
  private final FileSource source;
  private final GatewayMetrics metrics;
  private final byte[] token;

  FileRequests(GatewayConfig config, FileSource source, GatewayMetrics metrics) {
    this.config = config;
    this.source = source;
    this.metrics = metrics;
    this.token = config.writeToken.getBytes(StandardCharsets.UTF_8);
  }

  boolean writesEnabled() {
    return token.length > 0;
  }

  /** GET or HEAD. Returns once the response is fully handed to the channel. */
  void read(ChannelHandlerContext ctx, HttpRequest req, String path, WritabilityGate gate, Responder out)
      throws IOException {
    KeyPath kp = KeyPath.parse(path);
    StoredFile file = source.stat(kp.domain(), kp.key());
    HttpHeaders h = req.headers();
    String etag = Preconditions.etag(file.fid(), file.crc32c());
    Preconditions.Outcome outcome = Preconditions.evaluate(etag, file.createdMs(),
        h.get(HttpHeaderNames.IF_MATCH), h.get(HttpHeaderNames.IF_UNMODIFIED_SINCE),
        h.get(HttpHeaderNames.IF_NONE_MATCH), h.get(HttpHeaderNames.IF_MODIFIED_SINCE));
    if (outcome == Preconditions.Outcome.PRECONDITION_FAILED) {
      out.error(HttpResponseStatus.PRECONDITION_FAILED, "precondition failed", null);
      return;
    }
    boolean head = req.method().equals(HttpMethod.HEAD);
    if (outcome == Preconditions.Outcome.NOT_MODIFIED) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
      validators(r.headers(), file, etag);
      out.send(r, req);
      return;
    }
    ByteRange.Parsed parsed = Preconditions.ifRangeHolds(h.get(HttpHeaderNames.IF_RANGE), etag, file.createdMs())
        ? ByteRange.parse(h.get(HttpHeaderNames.RANGE), file.length()) : new ByteRange.Whole();
    if (parsed instanceof ByteRange.Unsatisfiable) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
      r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + file.length());
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
      validators(r.headers(), file, etag);
      out.send(r, req);
      return;
    }
    long offset = 0;
    long length = file.length();
    HttpResponseStatus status = HttpResponseStatus.OK;
    String contentRange = null;
    if (parsed instanceof ByteRange.Partial p) {
      offset = p.range().start();
      length = p.range().length();
      status = HttpResponseStatus.PARTIAL_CONTENT;
      contentRange = p.range().contentRange(file.length());
    }
    HttpResponse headers = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    HttpHeaders rh = headers.headers();
    rh.set(HttpHeaderNames.CONTENT_TYPE, ContentTypes.of(file.contentType(), file.key()));
    rh.set(HttpHeaderNames.CONTENT_LENGTH, length);
    rh.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    if (contentRange != null) {
      rh.set(HttpHeaderNames.CONTENT_RANGE, contentRange);
    }
    validators(rh, file, etag);
    if (head || length == 0) {
      out.sendHeadersOnly(headers, req);
      return;
    }
    try (InputStream in = source.open(file, offset, length)) {
      if (length <= config.chunkBytes) {
        // Small files (the common case) go out as one message.
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            ctx.alloc().buffer((int) length));
        r.headers().set(rh);
        try {
          fill(r.content(), in, (int) length);
        } catch (IOException | RuntimeException e) {
          r.release();
          throw e;
        }
        metrics.bytesOut(length);
        out.send(r, req);
        return;
      }
      streamBody(ctx, req, headers, in, length, gate, out);
    }
  }

  private void streamBody(ChannelHandlerContext ctx, HttpRequest req, HttpResponse headers, InputStream in,
      long length, WritabilityGate gate, Responder out) throws IOException {
    // Read the first chunk before committing to a status: a source failure can then still
    // become a proper error response instead of a truncated body.
    byte[] buf = new byte[(int) Math.min(config.chunkBytes, length)];
    int first = readSome(in, buf, (int) Math.min(buf.length, length));
    out.beginStream(headers, req);
    boolean ok = false;
    try {
      long remaining = length;
      int n = first;
      while (true) {
        gate.await();
        ByteBuf chunk = ctx.alloc().buffer(n).writeBytes(buf, 0, n);
        ctx.writeAndFlush(new DefaultHttpContent(chunk));
        metrics.bytesOut(n);
        remaining -= n;
        if (remaining == 0) {
          break;
        }
        n = readSome(in, buf, (int) Math.min(buf.length, remaining));
      }
      ok = true;
    } finally {
      out.endStream(req, ok);
    }
  }

  private static int readSome(InputStream in, byte[] buf, int want) throws IOException {
    int n = in.readNBytes(buf, 0, want);
    if (n <= 0) {
      throw new EOFException("stored file ended early");
    }
    return n;
  }

  private static void fill(ByteBuf target, InputStream in, int length) throws IOException {
    int written = 0;
    while (written < length) {
      int n = target.writeBytes(in, length - written);
      if (n < 0) {
        throw new EOFException("stored file ended early");
      }
      written += n;
    }
  }

  private void validators(HttpHeaders h, StoredFile file, String etag) {
    h.set(HttpHeaderNames.ETAG, etag);
    h.set(HttpHeaderNames.LAST_MODIFIED, Preconditions.httpDate(file.createdMs()));
    if (!config.cacheControl.isEmpty()) {
      h.set(HttpHeaderNames.CACHE_CONTROL, config.cacheControl);
    }
  }

  /** Checks the bearer token of a PUT or DELETE; answers and returns false when it fails. */
  boolean authorized(HttpRequest req, Responder out) {
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    String prefix = "Bearer ";
    boolean ok = auth != null && auth.regionMatches(true, 0, prefix, 0, prefix.length())
        && MessageDigest.isEqual(token, auth.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8));
    if (!ok) {
      FullHttpResponse r = Responder.text(HttpResponseStatus.UNAUTHORIZED, "a valid bearer token is required\n");
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"mogul\"");
      out.send(r, req);
    }
    return ok;
  }

  void put(HttpRequest req, String path, InputStream body, Responder out) {
    KeyPath kp = KeyPath.parse(path);
    long length = HttpUtil.getContentLength(req, -1L);
    String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    StoredFile stored = source.put(kp.domain(), kp.key(), body, length, type);
    metrics.bytesIn(stored.length());
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED);
    validators(r.headers(), stored, Preconditions.etag(stored.fid(), stored.crc32c()));
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    out.send(r, req);
  }

  void delete(HttpRequest req, String path, Responder out) {
    KeyPath kp = KeyPath.parse(path);
    source.delete(kp.domain(), kp.key());
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    out.send(r, req);
  }

  /** A method the file routes do not serve. */


}
