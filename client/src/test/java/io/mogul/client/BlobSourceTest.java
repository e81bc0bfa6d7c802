package io.mogul.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobSourceTest {
  @TempDir Path dir;

  private static List<ByteString> pieces(BlobSource source, int chunkBytes) throws IOException {
    List<ByteString> out = new ArrayList<>();
    try (BlobSource.Chunks chunks = source.chunks(chunkBytes)) {
      for (ByteString piece = chunks.next(); piece != null; piece = chunks.next()) {
        out.add(piece);
      }
    }
    return out;
  }

  private static byte[] joined(List<ByteString> pieces) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    pieces.forEach(p -> all.writeBytes(p.toByteArray()));
    return all.toByteArray();
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void anArrayIsReadInChunksEveryTimeItIsOpened() throws IOException {
    byte[] data = random(2500);
    BlobSource source = new BlobSource.Bytes(data);
    for (int round = 0; round < 2; round++) {
      List<ByteString> pieces = pieces(source, 1000);
      assertEquals(List.of(1000, 1000, 500), pieces.stream().map(ByteString::size).toList());
      assertArrayEquals(data, joined(pieces));
    }
    assertEquals(List.of(), pieces(new BlobSource.Bytes(new byte[0]), 1000));
  }

  @Test
  void aFileIsReadInChunksSizedToWhatIsLeftOfIt() throws IOException {
    byte[] data = random(2500);
    Path file = Files.write(dir.resolve("f"), data);
    List<ByteString> pieces = pieces(BlobSource.File.of(file), 1000);
    assertEquals(List.of(1000, 1000, 500), pieces.stream().map(ByteString::size).toList());
    assertArrayEquals(data, joined(pieces));
  }

  @Test
  void aFileThatChangedLengthSinceThePutBeganReadsAsADifferentLength() throws IOException {
    Path file = Files.write(dir.resolve("f"), random(2500));
    BlobSource.File source = BlobSource.File.of(file);
    Files.write(file, random(2600));
    assertEquals(2501, joined(pieces(source, 1000)).length, "a grown file must read past its recorded length");
    Files.write(file, random(2000));
    assertEquals(2000, joined(pieces(source, 1000)).length);
  }
}
