package io.mogul.chaos.traffic;

import io.mogul.client.MogulClient;
import io.mogul.proto.KeySummary;
import java.util.List;

/** {@link ClusterOps} over the real client library. */
public final class ClientOps implements ClusterOps {
  private final MogulClient client;

  public ClientOps(MogulClient client) {
    this.client = client;
  }

  @Override
  public void put(String domain, String key, byte[] data) {
    client.put(domain, key, data);
  }

  @Override
  public byte[] get(String domain, String key) {
    return client.get(domain, key);
  }

  @Override
  public void delete(String domain, String key) {
    client.delete(domain, key);
  }

  @Override
  public void rename(String domain, String from, String to) {
    client.rename(domain, from, to);
  }

  @Override
  public List<String> list(String domain, String prefix, int limit) {
    return client.listPage(domain, prefix, "", limit).getKeysList().stream().map(KeySummary::getKey).toList();
  }
}
