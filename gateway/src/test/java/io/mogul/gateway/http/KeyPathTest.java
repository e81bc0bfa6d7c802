package io.mogul.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mogul.common.MogulException;
import org.junit.jupiter.api.Test;

class KeyPathTest {
  @Test
  void keyIsEverythingAfterTheDomainPercentDecoded() {
    assertEquals(new KeyPath("photos", "a/b/c.jpg"), KeyPath.parse("/photos/a/b/c.jpg"));
    assertEquals(new KeyPath("photos", "dir/ünï cödé+1.png"),
        KeyPath.parse("/photos/dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9+1.png"));
    assertEquals(new KeyPath("photos", "../etc/passwd"), KeyPath.parse("/photos/..%2Fetc%2Fpasswd"));
    assertEquals(new KeyPath("photos", "a%b"), KeyPath.parse("/photos/a%25b"));
  }

  @Test
  void malformedPathsAreRejected() {
    for (String bad : new String[] {"", "photos/a", "/", "/photos", "/photos/", "/Photos/a", "/photos/%zz",
        "/photos/%4", "/photos/%00", "/photos/%C3%28", "/" + "d".repeat(65) + "/k"}) {
      assertThrows(MogulException.class, () -> KeyPath.parse(bad), bad);
    }
  }
}
