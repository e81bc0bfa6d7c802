package io.mogul.gateway.server;

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
    Path sample = Path.of("..", "config", "gateway.yaml");
    assertTrue(Files.exists(sample), "config/gateway.yaml must exist");
    String text = Files.readString(sample);
    GatewayConfig loaded = ConfigLoader.load(sample, List.of(), GatewayConfig.class);
    GatewayConfig defaults = new GatewayConfig();
    // The sample lists a three-tracker cluster where the default is a single tracker.
    compare(defaults, loaded, text, "", List.of("cache", "trackers"));
    assertTrue(text.contains("trackers:"), "sample lacks trackers");
    compare(defaults.cache, loaded.cache, text, "cache.", List.of());
  }

  private static void compare(Object defaults, Object loaded, String text, String prefix, List<String> skip)
      throws Exception {
    for (Field f : defaults.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || skip.contains(f.getName())) {
        continue;
      }
      assertTrue(text.contains(f.getName() + ":"), "sample lacks " + prefix + f.getName());
      assertEquals(f.get(defaults), f.get(loaded), "sample value of " + prefix + f.getName() + " is not the default");
    }
  }
}
