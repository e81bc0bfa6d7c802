package io.mogul.gateway.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.mogul.common.MogulException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Renders the dashboard page and the JSON it polls. */
public final class Dashboard {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().includingDefaultValueFields().omittingInsignificantWhitespace();

  private final ClusterView view;
  private final RecentErrors errors;
  private final String page;

  public Dashboard(ClusterView view, RecentErrors errors, int refreshMs) {
    this.view = view;
    this.errors = errors;
    try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from the gateway jar");
      }
      this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("__REFRESH_MS__", Integer.toString(refreshMs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String page() {
    return page;
  }

  /**
   * The cluster as JSON: {@code check}, {@code domains}, {@code stats}, {@code fsck} (each may instead be
   * an {@code error} string when the cluster could not answer it) and {@code errors}.
   */
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("timeMs", System.currentTimeMillis());
    part(root, "check", () -> view.check());
    part(root, "domains", () -> view.domains());
    part(root, "stats", () -> view.stats());
    part(root, "fsck", () -> view.fsck());
    root.set("errors", JSON.valueToTree(errors.snapshot()));
    return root.toString();
  }

  private interface Call {
    MessageOrBuilder get();
  }

  private static void part(ObjectNode root, String name, Call call) {
    try {
      root.set(name, JSON.readTree(PRINTER.print(call.get())));
    } catch (MogulException e) {
      root.put(name + "Error", e.reason() + ": " + e.getMessage());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + name, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
