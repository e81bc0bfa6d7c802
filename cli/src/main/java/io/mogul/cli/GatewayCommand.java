package io.mogul.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mogul.client.MogulClient;
import io.mogul.common.config.ConfigLoader;
import io.mogul.common.metrics.Metrics;
import io.mogul.gateway.cluster.AdminClusterView;
import io.mogul.gateway.cluster.ClientFileSource;
import io.mogul.gateway.server.GatewayConfig;
import io.mogul.gateway.server.GatewayServer;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mogul gateway}: the HTTP front door, until SIGTERM or SIGINT. */
@Command(name = "gateway", description = "Run the HTTP gateway (files by URL, /ui dashboard, /metrics) until SIGTERM/SIGINT.")
final class GatewayCommand implements Callable<Integer> {
  @Mixin ServerCommands.ConfigOptions options;

  @Override
  public Integer call() throws IOException, InterruptedException {
    GatewayConfig config = ConfigLoader.load(options.config, options.overrides, GatewayConfig.class);
    PrometheusMeterRegistry registry = Metrics.newRegistry("gateway");
    MogulClient client = MogulClient.builder().trackers(config.trackers).staleReads(config.staleReads).build();
    GatewayServer server;
    try {
      server = GatewayServer.start(config, new ClientFileSource(client), new AdminClusterView(client), registry);
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
    return ServerCommands.runUntilStopped("gateway", config.listen.replaceAll(":\\d+$", ":" + server.port()), () -> {
      server.close();
      client.close();
    });
  }
}
