package io.mogul.common.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/**
 * Parses each request into an array of its own and lets the message's {@code bytes} fields
 * share that array. gRPC's standard protobuf marshaller reads a message into a reused
 * buffer and then copies every {@code bytes} field out of it; for a chunk of blob data
 * that second copy is a whole extra pass over the data. Serializing is left to the
 * standard marshaller. Parsed messages own their array, so they stay valid for as long
 * as they are referenced.
 */
public final class AliasingMarshaller<T extends MessageLite> implements MethodDescriptor.Marshaller<T> {
  private final MethodDescriptor.Marshaller<T> standard;
  private final Parser<T> parser;

  @SuppressWarnings("unchecked")
  AliasingMarshaller(MethodDescriptor.Marshaller<T> standard, T defaultInstance) {
    this.standard = standard;
    this.parser = (Parser<T>) defaultInstance.getParserForType();
  }

  /**
   * {@code service} with the requests of the methods named in {@code methods} (full names,
   * {@code package.Service/Method}) parsed by this marshaller; every other method is bound
   * as it was. Each named method must exist and have a protobuf request marshaller.
   */
  public static ServerServiceDefinition forRequests(ServerServiceDefinition service, Set<String> methods) {
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    int replaced = 0;
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      if (methods.contains(m.getMethodDescriptor().getFullMethodName())) {
        b.addMethod(aliased(m));
        replaced++;
      } else {
        b.addMethod(m);
      }
    }
    if (replaced != methods.size()) {
      throw new IllegalArgumentException("service " + service.getServiceDescriptor().getName()
          + " lacks some of the methods " + methods);
    }
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static <Q, R> ServerMethodDefinition<Q, R> aliased(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> d = m.getMethodDescriptor();
    if (!(d.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> p)
        || !(p.getMessagePrototype() instanceof MessageLite prototype)) {
      throw new IllegalArgumentException(d.getFullMethodName() + " does not take a protobuf request");
    }
    MethodDescriptor.Marshaller<Q> requests = (MethodDescriptor.Marshaller<Q>) new AliasingMarshaller<>(
        (MethodDescriptor.Marshaller<MessageLite>) p, prototype);
    return ServerMethodDefinition.create(d.toBuilder(requests, d.getResponseMarshaller()).build(),
        m.getServerCallHandler());
  }

  @Override
  public InputStream stream(T value) {
    return standard.stream(value);
  }

  @Override
  public T parse(InputStream stream) {
    try {
      if (!(stream instanceof KnownLength)) {
        return standard.parse(stream);
      }
      int size = stream.available();
      byte[] own = new byte[size];
      int read = stream.readNBytes(own, 0, size);
      if (read != size || stream.read() != -1) {
        throw new IOException("message length " + read + " differs from the announced " + size);
      }
      // Only a string known to be immutable lets the parser alias instead of copy.
      ByteString whole = UnsafeByteOperations.unsafeWrap(own);
      CodedInputStream in = whole.newCodedInput();
      in.enableAliasing(true);
      T message = parser.parseFrom(in);
      in.checkLastTagWas(0);
      return message;
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("invalid protobuf byte sequence").withCause(e).asRuntimeException();
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("cannot read the message").withCause(e).asRuntimeException();
    }
  }
}
