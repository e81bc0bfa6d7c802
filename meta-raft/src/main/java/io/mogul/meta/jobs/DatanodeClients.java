package io.mogul.meta.jobs;

import io.mogul.common.grpc.ChannelPool;
import io.mogul.proto.DataNodeGrpc;
import java.util.concurrent.TimeUnit;

/** Stubs from the leader's jobs to the datanodes, over one kept-open channel per address. */
final class DatanodeClients implements AutoCloseable {
  private final ChannelPool channels = new ChannelPool();

  /** A blocking stub whose calls fail after {@code deadlineMs}. */
  DataNodeGrpc.DataNodeBlockingStub stub(String address, long deadlineMs) {
    return DataNodeGrpc.newBlockingStub(channels.get(address)).withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channels.close();
  }
}
