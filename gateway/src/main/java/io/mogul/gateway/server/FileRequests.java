package io.mogul.gateway.server;

import io.mogul.gateway.cache.BlobCache;
import io.mogul.gateway.cache.VersionCache;
import io.mogul.gateway.http.ByteRange;
import io.mogul.gateway.http.ContentTypes;
import io.mogul.gateway.http.KeyPath;
import io.mogul.gateway.http.Preconditions;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /{domain}/{key}}: GET and HEAD with validators, ranges and conditional
 * requests; PUT and DELETE behind a bearer token. A GET or HEAD whose version (and, for a
 * body, content) is cached is answered on the event loop; everything that needs a cluster
 * call runs on a worker thread, because every cluster call blocks.
 */
final class FileRequests {
  private static final Logger LOG = LoggerFactory.getLogger(FileRequests.class);

  private final GatewayConfig config;
  private final FileSource source;
  private final VersionCache versions;
  private final BlobCache blobs;
  private final GatewayMetrics metrics;
  private final byte[] token;

  FileRequests(GatewayConfig config, FileSource source, VersionCache versions, BlobCache blobs,
      GatewayMetrics metrics) {
    this.config = config;
    this.source = source;
    this.versions = versions;
    this.blobs = blobs;
    this.metrics = metrics;
    this.token = config.writeToken.getBytes(StandardCharsets.UTF_8);
  }

  boolean writesEnabled() {
    return token.length > 0;
  }

  /**
   * What a GET or HEAD serves once its conditions and range are resolved: the status and
   * headers, and which bytes of the version go into the body.
   */
  private record Plan(HttpResponseStatus status, HttpHeaders headers, long offset, long length, boolean whole) {}

  /**
   * A GET or HEAD the event loop could not answer from memory, with what it already
   * learned: the version ({@code file}, null when a tracker has to be asked), then the
   * resolved plan and the cached content (null when not cached).
   */
  record PendingRead(KeyPath path, StoredFile file, Plan plan, byte[] cached) {}

  /**
   * Event loop: answers a GET or HEAD without any cluster call when the key's version is
   * cached and the answer needs no body, or a body of at most one chunk whose content is
   * cached. Never blocks.
   *
   * @return null when answered, else the read for {@link #finishRead} on a worker
   */
  PendingRead startRead(HttpRequest req, String path, Responder out) {
    KeyPath kp = KeyPath.parse(path);
    StoredFile file = versions.cached(kp);
    if (file == null) {
      return new PendingRead(kp, null, null, null);
    }
    Plan plan = plan(req, file, out);
    if (plan == null) {
      return null;
    }
    byte[] cached = blobs.get(file);
    if (cached != null && plan.length() <= config.chunkBytes) {
      sendFromMemory(req, plan, cached, out);
      return null;
    }
    return new PendingRead(kp, file, plan, cached);
  }

  /**
   * Worker: finishes a read {@link #startRead} handed over, asking the cluster for what is
   * not cached. When the body of a cached version cannot be read (its copies moved, or the
   * key was replaced and the old blob deleted since the lookup) and nothing was sent yet,
   * the key is looked up again once and the request answered from the current version.
   * Returns once the response is fully handed to the channel.
   */
  void finishRead(ChannelHandlerContext ctx, HttpRequest req, PendingRead pending, WritabilityGate gate,
      Responder out) throws IOException {
    StoredFile file = pending.file();
    if (file == null) {
      file = versions.load(pending.path());
      Plan plan = plan(req, file, out);
      if (plan != null) {
        sendBody(ctx, req, file, plan, blobs.get(file), gate, out);
      }
      return;
    }
    try {
      sendBody(ctx, req, file, pending.plan(), pending.cached(), gate, out);
    } catch (IOException | RuntimeException e) {
      if (out.committed()) {
        throw e;
      }
      retryWithCurrentVersion(ctx, req, pending.path(), file, e, gate, out);
    }
  }

  /**
   * The body of a cached version could not be read: looks the key up again and answers
   * from the current version, unless that is the same one (then {@code failure} stands).
   * A key deleted meanwhile answers 404 from the lookup.
   */
  private void retryWithCurrentVersion(ChannelHandlerContext ctx, HttpRequest req, KeyPath path, StoredFile stale,
      Exception failure, WritabilityGate gate, Responder out) throws IOException {
    StoredFile current;
    try {
      current = versions.refresh(path);
    } catch (RuntimeException again) {
      again.addSuppressed(failure);
      throw again;
    }
    if (current.fid() == stale.fid() && current.locations().equals(stale.locations())) {
      // The cached version was current: nothing else to try.
      if (failure instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) failure;
    }
    LOG.info("cached version {} of {}/{} could not be read ({}); serving the current version {}",
        stale.fid(), stale.domain(), stale.key(), failure.toString(), current.fid());
    try {
      Plan plan = plan(req, current, out);
      if (plan != null) {
        sendBody(ctx, req, current, plan, blobs.get(current), gate, out);
      }
    } catch (IOException | RuntimeException again) {
      again.addSuppressed(failure);
      throw again;
    }
  }

  /** Sends the planned body from memory or, when {@code cached} is null, from the cluster. */
  private void sendBody(ChannelHandlerContext ctx, HttpRequest req, StoredFile file, Plan plan, byte[] cached,
      WritabilityGate gate, Responder out) throws IOException {
    if (cached == null && plan.whole() && blobs.eligible(file)) {
      // Only a whole, verified read fills the cache; ranges of uncached files stream.
      cached = blobs.fill(source, file);
    }
    if (cached != null) {
      if (plan.length() <= config.chunkBytes) {
        sendFromMemory(req, plan, cached, out);
      } else {
        streamBody(ctx, req, plan, new ByteArrayInputStream(cached, (int) plan.offset(), (int) plan.length()),
            gate, out);
      }
      return;
    }
    try (InputStream in = source.open(file, plan.offset(), plan.length())) {
      if (plan.length() <= config.chunkBytes) {
        // Small files (the common case) go out as one message.
        ByteBuf content = ctx.alloc().buffer((int) plan.length());
        try {
          fill(content, in, (int) plan.length());
        } catch (IOException | RuntimeException e) {
          content.release();
          throw e;
        }
        metrics.bytesOut(plan.length());
        out.send(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, plan.status(), content, plan.headers(),
            new DefaultHttpHeaders()), req);
        return;
      }
      streamBody(ctx, req, plan, in, gate, out);
    }
  }

  /**
   * Evaluates the conditions and the range against the version and answers what needs no
   * body itself (412, 304, 416, HEAD, empty files).
   *
   * @return null when answered, else what the body must hold
   */
  private Plan plan(HttpRequest req, StoredFile file, Responder out) {
    HttpHeaders h = req.headers();
    String etag = Preconditions.etag(file.fid(), file.crc32c());
    Preconditions.Outcome outcome = Preconditions.evaluate(etag, file.createdMs(),
        h.get(HttpHeaderNames.IF_MATCH), h.get(HttpHeaderNames.IF_UNMODIFIED_SINCE),
        h.get(HttpHeaderNames.IF_NONE_MATCH), h.get(HttpHeaderNames.IF_MODIFIED_SINCE));
    if (outcome == Preconditions.Outcome.PRECONDITION_FAILED) {
      out.error(HttpResponseStatus.PRECONDITION_FAILED, "precondition failed", req);
      return null;
    }
    if (outcome == Preconditions.Outcome.NOT_MODIFIED) {
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
      validators(r.headers(), file, etag);
      out.send(r, req);
      return null;
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
      return null;
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
    HttpHeaders rh = new DefaultHttpHeaders();
    rh.set(HttpHeaderNames.CONTENT_TYPE, ContentTypes.of(file.contentType(), file.key()));
    rh.set(HttpHeaderNames.CONTENT_LENGTH, length);
    rh.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    if (contentRange != null) {
      rh.set(HttpHeaderNames.CONTENT_RANGE, contentRange);
    }
    validators(rh, file, etag);
    if (req.method().equals(HttpMethod.HEAD) || length == 0) {
      out.sendHeadersOnly(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, rh), req);
      return null;
    }
    return new Plan(status, rh, offset, length, offset == 0 && length == file.length());
  }

  /** A body from cached content: the response shares the cached array, no copy. */
  private void sendFromMemory(HttpRequest req, Plan plan, byte[] cached, Responder out) {
    ByteBuf content = Unpooled.wrappedBuffer(cached, (int) plan.offset(), (int) plan.length());
    metrics.bytesOut(plan.length());
    out.send(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, plan.status(), content, plan.headers(),
        new DefaultHttpHeaders()), req);
  }

  private void streamBody(ChannelHandlerContext ctx, HttpRequest req, Plan plan, InputStream in,
      WritabilityGate gate, Responder out) throws IOException {
    long length = plan.length();
    // Read the first chunk before committing to a status: a source failure can then still
    // become a proper error response instead of a truncated body.
    byte[] buf = new byte[(int) Math.min(config.chunkBytes, length)];
    int first = readSome(in, buf, (int) Math.min(buf.length, length));
    out.beginStream(new DefaultHttpResponse(HttpVersion.HTTP_1_1, plan.status(), plan.headers()), req);
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
    StoredFile stored;
    try {
      stored = source.put(kp.domain(), kp.key(), body, length, type);
    } finally {
      // Also after a failure: the put may have committed before its answer was lost.
      versions.invalidate(kp);
    }
    metrics.bytesIn(stored.length());
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED);
    validators(r.headers(), stored, Preconditions.etag(stored.fid(), stored.crc32c()));
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    out.send(r, req);
  }

  void delete(HttpRequest req, String path, Responder out) {
    KeyPath kp = KeyPath.parse(path);
    try {
      source.delete(kp.domain(), kp.key());
    } finally {
      versions.invalidate(kp);
    }
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    out.send(r, req);
  }
}
