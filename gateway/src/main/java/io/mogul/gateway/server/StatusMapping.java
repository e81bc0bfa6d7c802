package io.mogul.gateway.server;

import io.mogul.proto.ErrorReason;
import io.netty.handler.codec.http.HttpResponseStatus;

/** How a typed cluster error becomes an HTTP status. */
final class StatusMapping {
  private StatusMapping() {}

  static HttpResponseStatus of(ErrorReason reason) {
    return switch (reason) {
      case UNKNOWN_KEY, UNKNOWN_DOMAIN, UNKNOWN_FID, BLOB_NOT_FOUND -> HttpResponseStatus.NOT_FOUND;
      case INVALID_NAME, INVALID_ARGUMENT, UNKNOWN_CLASS, LENGTH_MISMATCH -> HttpResponseStatus.BAD_REQUEST;
      case NOT_LEADER, UNAVAILABLE, DEVICE_UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
      case NO_WRITABLE_DEVICE, DEVICE_FULL -> HttpResponseStatus.INSUFFICIENT_STORAGE;
      case CHECKSUM_MISMATCH -> HttpResponseStatus.BAD_GATEWAY;
      default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
    };
  }
}
