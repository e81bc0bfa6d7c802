package io.mogul.meta.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mogul.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TrackerConfigSampleTest {
  private static final Path SAMPLE = Path.of("..", "config", "tracker.yaml");

  private static Set<String> keyPaths(JsonNode node, String prefix, Set<String> out) {
    if (node.isObject()) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        out.add(prefix + name);
        keyPaths(node.get(name), prefix + name + ".", out);
      }
    } else if (node.isArray() && node.size() > 0) {
      keyPaths(node.get(0), prefix + "[].", out);
    }
    return out;
  }

  @Test
  void sampleListsEveryKeyWithItsDefault() throws Exception {
    assertTrue(Files.exists(SAMPLE), "missing " + SAMPLE.toAbsolutePath());
    ObjectMapper json = new ObjectMapper();
    JsonNode defaults = json.valueToTree(new TrackerConfig());
    JsonNode sample = new ObjectMapper(new YAMLFactory()).readTree(SAMPLE.toFile());
    assertEquals(keyPaths(defaults, "", new TreeSet<>()), keyPaths(sample, "", new TreeSet<>()),
        "config/tracker.yaml must list every key of TrackerConfig");
    TrackerConfig config = ConfigLoader.load(SAMPLE, List.of(), TrackerConfig.class);
    // The one exception: processes started from the sample serve /metrics, where an
    // embedded tracker (no key) serves none.
    assertEquals("127.0.0.1:7201", config.metricsListen, "the sample serves /metrics");
    config.metricsListen = new TrackerConfig().metricsListen;
    JsonNode loaded = json.valueToTree(config);
    assertEquals(defaults, loaded, "config/tracker.yaml must show every default");
  }

  @Test
  void overridesApplyOnTopOfTheSample() {
    TrackerConfig c = ConfigLoader.load(SAMPLE, List.of("raft.batchMaxInFlight=3"), TrackerConfig.class);
    assertEquals(3, c.raft.batchMaxInFlight);
  }
}
