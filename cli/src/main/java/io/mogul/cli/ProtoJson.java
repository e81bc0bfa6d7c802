package io.mogul.cli;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns protobuf messages into plain maps and lists for JSON output: every field is
 * present (defaults included, so scripts need no special cases), names are camelCase,
 * enums are their names and unsigned integers stay non-negative.
 */
public final class ProtoJson {
  private ProtoJson() {}

  public static Map<String, Object> toMap(Message message) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      Object value = message.getField(field);
      if (field.isMapField()) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Object entry : (List<?>) value) {
          Message e = (Message) entry;
          FieldDescriptor k = e.getDescriptorForType().findFieldByName("key");
          FieldDescriptor v = e.getDescriptorForType().findFieldByName("value");
          map.put(String.valueOf(e.getField(k)), scalar(v, e.getField(v)));
        }
        out.put(field.getJsonName(), map);
      } else if (field.isRepeated()) {
        List<Object> list = new ArrayList<>();
        for (Object item : (List<?>) value) {
          list.add(scalar(field, item));
        }
        out.put(field.getJsonName(), list);
      } else {
        out.put(field.getJsonName(), scalar(field, value));
      }
    }
    return out;
  }

  public static List<Map<String, Object>> toList(List<? extends Message> messages) {
    return messages.stream().map(ProtoJson::toMap).toList();
  }

  private static Object scalar(FieldDescriptor field, Object value) {
    return switch (field.getType()) {
      case MESSAGE, GROUP -> toMap((Message) value);
      case ENUM -> ((com.google.protobuf.Descriptors.EnumValueDescriptor) value).getName();
      case UINT32, FIXED32 -> Integer.toUnsignedLong((Integer) value);
      case UINT64, FIXED64 -> (Long) value >= 0 ? value : Long.toUnsignedString((Long) value);
      case BYTES -> ((com.google.protobuf.ByteString) value).size() + " bytes";
      default -> value;
    };
  }
}
