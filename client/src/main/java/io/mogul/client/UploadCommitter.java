package io.mogul.client;

import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.FileInfo;
import java.util.concurrent.CompletableFuture;

/**
 * Opens and closes uploads at the trackers. Implementations may send each call on its own
 * or coalesce concurrent calls into batch rpcs; either way each call's future completes
 * with exactly that call's answer or its typed error.
 */
interface UploadCommitter extends AutoCloseable {
  CompletableFuture<CreateOpenResponse> open(CreateOpenRequest request, long deadlineNanos);

  CompletableFuture<FileInfo> close(CreateCloseRequest request, long deadlineNanos);

  @Override
  void close();
}
