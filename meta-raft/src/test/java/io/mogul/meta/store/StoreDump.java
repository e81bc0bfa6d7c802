package io.mogul.meta.store;

import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Every entry of every column family as hex text, for comparing states in tests. */
public final class StoreDump {
  private StoreDump() {}

  /** All entries; the applied position is left out when {@code withApplied} is false. */
  public static Map<String, String> of(KvReader kv, boolean withApplied) {
    Map<String, String> out = new TreeMap<>();
    HexFormat hex = HexFormat.of();
    for (Table t : Table.values()) {
      kv.scan(t, new byte[0], null, (k, v) -> {
        if (withApplied || t != Table.META || !java.util.Arrays.equals(k, Keys.APPLIED)) {
          out.put(t.cfName() + "/" + hex.formatHex(k), hex.formatHex(v));
        }
        return true;
      });
    }
    return out;
  }
}
