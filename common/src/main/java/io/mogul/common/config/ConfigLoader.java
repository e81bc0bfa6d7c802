package io.mogul.common.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a process's typed configuration from YAML, then applies command-line overrides
 * of the form {@code dotted.path=value}. Unknown keys are errors, so a typo never goes
 * unnoticed; every key is documented in the sample files under {@code config/}.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .findAndRegisterModules();

  private ConfigLoader() {}

  /**
   * @param file YAML file, or null to start from the type's defaults
   * @param overrides {@code a.b.c=value} entries; a value is parsed as YAML (numbers, booleans, lists)
   * @throws ConfigException with a one-line explanation when the file or an override is invalid
   */
  public static <T> T load(Path file, List<String> overrides, Class<T> type) {
    ObjectNode tree;
    if (file != null) {
      try (InputStream in = Files.newInputStream(file)) {
        JsonNode node = YAML.readTree(in);
        tree = node == null || node.isMissingNode() || node.isNull()
            ? JsonNodeFactory.instance.objectNode() : requireObject(node, file.toString());
      } catch (IOException e) {
        throw new ConfigException("cannot read config " + file + ": " + e.getMessage(), e);
      }
    } else {
      tree = JsonNodeFactory.instance.objectNode();
    }
    for (String override : overrides == null ? List.<String>of() : overrides) {
      apply(tree, override);
    }
    try {
      return YAML.treeToValue(tree, type);
    } catch (IOException e) {
      throw new ConfigException("invalid config" + (file == null ? "" : " " + file) + ": "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  private static ObjectNode requireObject(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new ConfigException(where + ": the top level must be a mapping of keys to values");
    }
    return (ObjectNode) node;
  }

  static void apply(ObjectNode tree, String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("override '" + override + "' must look like key.path=value");
    }
    String[] path = override.substring(0, eq).trim().split("\\.");
    String raw = override.substring(eq + 1);
    JsonNode value;
    try {
      value = raw.isEmpty() ? JsonNodeFactory.instance.textNode("") : YAML.readTree(raw);
    } catch (IOException e) {
      value = JsonNodeFactory.instance.textNode(raw);
    }
    ObjectNode parent = tree;
    for (int i = 0; i < path.length - 1; i++) {
      JsonNode child = parent.get(path[i]);
      if (child == null || !child.isObject()) {
        child = parent.putObject(path[i]);
      }
      parent = (ObjectNode) child;
    }
    parent.set(path[path.length - 1], value);
  }

  /** Serializes a config back to YAML (for `--print-config` and the sandbox). */
  public static String toYaml(Object config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (IOException e) {
      throw new ConfigException("cannot write config: " + e.getMessage(), e);
    }
  }

  /** Writes a config to a YAML file. */
  public static void write(Object config, Path file) throws IOException {
    Files.writeString(file, toYaml(config));
  }
}
