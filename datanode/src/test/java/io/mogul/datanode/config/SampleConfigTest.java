package io.mogul.datanode.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.config.ConfigLoader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleConfigTest {
  @Test
  void sampleConfigDocumentsEveryKeyWithItsDefault() throws Exception {
    Path sample = Path.of("..", "config", "datanode.yaml");
    assertTrue(Files.exists(sample), "config/datanode.yaml must exist");
    String text = Files.readString(sample);
    DatanodeConfig loaded = ConfigLoader.load(sample, List.of(), DatanodeConfig.class);
    DatanodeConfig defaults = new DatanodeConfig();
    // The one exception: processes started from the sample serve /metrics, where an
    // embedded datanode (no key) serves none.
    assertEquals("127.0.0.1:7601", loaded.metricsListen, "the sample serves /metrics");
    assertTrue(text.contains("metricsListen:"), "sample lacks metricsListen");
    loaded.metricsListen = defaults.metricsListen;
    compare(defaults, loaded, text, "");
    compare(defaults.storage, loaded.storage, text, "storage.");
    compare(defaults.server, loaded.server, text, "server.");
    compare(defaults.unsafe, loaded.unsafe, text, "unsafe.");
  }

  private static void compare(Object defaults, Object loaded, String text, String prefix) throws Exception {
    for (Field f : defaults.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("storage") || f.getName().equals("server")
          || f.getName().equals("unsafe")) {
        continue;
      }
      assertTrue(text.contains(f.getName() + ":"), "sample lacks " + prefix + f.getName());
      assertEquals(f.get(defaults), f.get(loaded), "sample value of " + prefix + f.getName() + " is not the default");
    }
  }
}
