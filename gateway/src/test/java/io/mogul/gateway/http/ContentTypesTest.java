package io.mogul.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ContentTypesTest {
  @Test
  void storedTypeWinsOverTheExtension() {
    assertEquals("image/x-custom", ContentTypes.of("image/x-custom", "a.jpg"));
  }

  @Test
  void extensionIsGuessedCaseInsensitively() {
    assertEquals("image/jpeg", ContentTypes.of("", "photos/CAT.JPG"));
    assertEquals("video/mp4", ContentTypes.of(null, "clip.mp4"));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of(null, "dir.d/noext"));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of(null, ".hidden"));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of(null, "trailing."));
  }
}
