package io.mogul.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Prints command results as aligned text tables or, with {@code --json}, as JSON. */
public final class Output {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final boolean json;

  public Output(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  public boolean json() {
    return json;
  }

  public PrintStream stream() {
    return out;
  }

  /** Prints any value (maps, lists, numbers, strings) as JSON. */
  public void printJson(Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /** Prints a table with a header row; every cell is turned into text. */
  public void table(List<String> headers, List<List<?>> rows) {
    int[] widths = new int[headers.size()];
    List<List<String>> text = new ArrayList<>();
    text.add(headers);
    for (List<?> row : rows) {
      text.add(row.stream().map(c -> c == null ? "" : String.valueOf(c)).toList());
    }
    for (List<String> row : text) {
      for (int i = 0; i < row.size() && i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : text) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size() && i < widths.length; i++) {
        String cell = row.get(i);
        line.append(cell);
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - cell.length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /**
   * Starts a JSON array printed element by element as a listing streams in, so that a
   * listing of any length needs no more memory than one element.
   */
  public JsonArray jsonArray() {
    out.println("[");
    return new JsonArray();
  }

  /** A JSON array being printed; {@link #close()} prints its end. */
  public final class JsonArray implements AutoCloseable {
    private static final ObjectMapper COMPACT = new ObjectMapper();
    private long count;

    private JsonArray() {}

    public void add(Object element) {
      try {
        out.print((count++ > 0 ? ",\n  " : "  ") + COMPACT.writeValueAsString(element));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      out.println(count > 0 ? "\n]" : "]");
    }
  }

  /** Prints "name: value" lines, names aligned. */
  public void fields(Map<String, ?> fields) {
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach((name, value) -> out.println(name + ":" + " ".repeat(width - name.length() + 1) + value));
  }

  /** Human-readable byte count (1.5 MiB). */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format("%.1f %s", v, units[u]);
  }
}
