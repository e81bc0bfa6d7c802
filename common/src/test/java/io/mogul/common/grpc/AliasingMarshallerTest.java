package io.mogul.common.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.mogul.common.ByteStrings;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AliasingMarshallerTest {
  private static final String WRITE = DataNodeGrpc.getWriteMethod().getFullMethodName();

  private static ServerServiceDefinition service() {
    return new DataNodeGrpc.DataNodeImplBase() {
      @Override
      public StreamObserver<WriteRequest> write(StreamObserver<WriteResponse> out) {
        throw new UnsupportedOperationException("never called: only the binding is under test");
      }
    }.bindService();
  }

  @SuppressWarnings("unchecked")
  private static MethodDescriptor.Marshaller<WriteRequest> writeRequests(ServerServiceDefinition s) {
    ServerMethodDefinition<?, ?> m = s.getMethod(WRITE);
    return (MethodDescriptor.Marshaller<WriteRequest>) m.getMethodDescriptor().getRequestMarshaller();
  }

  /** A stream of {@code length} bytes that announces {@code announced}, as gRPC's own streams announce theirs. */
  private static final class Announcing extends ByteArrayInputStream implements KnownLength {
    private final int announced;

    Announcing(byte[] b, int length, int announced) {
      super(b, 0, length);
      this.announced = announced;
    }

    @Override
    public synchronized int available() {
      return announced - pos;
    }
  }

  @Test
  void aChunkIsParsedIntoTheMessagesOwnArrayInsteadOfACopy() throws IOException {
    byte[] data = new byte[1 << 20];
    new Random(1).nextBytes(data);
    WriteRequest sent = WriteRequest.newBuilder().setChunk(ByteString.copyFrom(data)).build();
    MethodDescriptor.Marshaller<WriteRequest> m = writeRequests(AliasingMarshaller.forRequests(service(), Set.of(WRITE)));
    WriteRequest parsed;
    try (InputStream in = m.stream(sent)) {
      parsed = m.parse(in);
    }
    assertEquals(sent, parsed);
    // Aliased: the chunk is a window on the whole message's array, which is larger than it.
    assertTrue(ByteStrings.view(parsed.getChunk()).array().length > data.length,
        "the chunk must share the parsed message's array");
    WriteRequest header = WriteRequest.newBuilder()
        .setHeader(WriteHeader.newBuilder().setFid(42).setDeviceId(3).setExpectedLength(7)).build();
    assertEquals(header, m.parse(m.stream(header)));
  }

  @Test
  void aMessageShorterThanAnnouncedIsRefusedWithAnInternalError() {
    WriteRequest sent = WriteRequest.newBuilder().setChunk(ByteString.copyFromUtf8("0123456789")).build();
    byte[] bytes = sent.toByteArray();
    MethodDescriptor.Marshaller<WriteRequest> m = writeRequests(AliasingMarshaller.forRequests(service(), Set.of(WRITE)));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> m.parse(new Announcing(bytes, bytes.length - 3, bytes.length)));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertEquals(sent, m.parse(new Announcing(bytes, bytes.length, bytes.length)));
    // A stream of unknown length goes to the standard parser.
    assertEquals(sent, m.parse(new ByteArrayInputStream(bytes)));
  }

  @Test
  void onlyTheNamedMethodsChangeAndAnUnknownNameIsRefused() {
    ServerServiceDefinition original = service();
    ServerServiceDefinition s = AliasingMarshaller.forRequests(original, Set.of(WRITE));
    assertEquals(original.getMethods().size(), s.getMethods().size());
    for (ServerMethodDefinition<?, ?> m : original.getMethods()) {
      String name = m.getMethodDescriptor().getFullMethodName();
      ServerMethodDefinition<?, ?> now = s.getMethod(name);
      assertSame(m.getServerCallHandler(), now.getServerCallHandler(), name);
      if (name.equals(WRITE)) {
        assertNotSame(m.getMethodDescriptor().getRequestMarshaller(), now.getMethodDescriptor().getRequestMarshaller());
      } else {
        assertSame(m.getMethodDescriptor(), now.getMethodDescriptor(), name);
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> AliasingMarshaller.forRequests(original, Set.of(WRITE, "mogul.v1.DataNode/NoSuchMethod")));
  }
}
