package io.mogul.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  public static class Sample {
    public String name = "default";
    public int port = 1;
    public Nested nested = new Nested();
    public List<String> list = List.of("a");

    public static class Nested {
      public long size = 10;
      public boolean flag;
    }
  }

  @Test
  void defaultsApplyWhenNoFileIsGiven() {
    Sample s = ConfigLoader.load(null, List.of(), Sample.class);
    assertEquals("default", s.name);
    assertEquals(10, s.nested.size);
  }

  @Test
  void fileValuesThenOverridesWin(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "name: fromfile\nport: 5\nnested:\n  size: 20\n");
    Sample s = ConfigLoader.load(file, List.of("port=7", "nested.flag=true", "list=[x, y]"), Sample.class);
    assertEquals("fromfile", s.name);
    assertEquals(7, s.port);
    assertEquals(20, s.nested.size);
    assertTrue(s.nested.flag);
    assertEquals(List.of("x", "y"), s.list);
  }

  @Test
  void unknownKeysAreRejectedWithTheirName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "nmae: typo\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, List.of(), Sample.class));
    assertTrue(e.getMessage().contains("nmae"), e.getMessage());
  }

  @Test
  void malformedOverridesAndMissingFilesAreClearErrors(@TempDir Path dir) {
    assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("novalue"), Sample.class));
    assertThrows(ConfigException.class, () -> ConfigLoader.load(null, List.of("port=notanumber"), Sample.class));
    ConfigException missing = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(dir.resolve("absent.yaml"), List.of(), Sample.class));
    assertTrue(missing.getMessage().contains("absent.yaml"));
  }

  @Test
  void configRoundTripsThroughYaml(@TempDir Path dir) throws Exception {
    Sample s = ConfigLoader.load(null, List.of("name=round", "nested.size=99"), Sample.class);
    Path file = dir.resolve("out.yaml");
    ConfigLoader.write(s, file);
    Sample back = ConfigLoader.load(file, List.of(), Sample.class);
    assertEquals("round", back.name);
    assertEquals(99, back.nested.size);
  }
}
