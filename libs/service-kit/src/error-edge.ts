import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from './logger';
import { isDatabaseUnavailable } from './database-unavailable';
import { DomainError, type ErrorKind } from './errors';

const CODE_OF: Record<ErrorKind, Status> = {
  invalid_argument: Status.INVALID_ARGUMENT,
  not_found: Status.NOT_FOUND,
  already_exists: Status.ALREADY_EXISTS,
  failed_precondition: Status.FAILED_PRECONDITION,
  permission_denied: Status.PERMISSION_DENIED,
  unauthenticated: Status.UNAUTHENTICATED,
  resource_exhausted: Status.RESOURCE_EXHAUSTED,
  data_loss: Status.DATA_LOSS,
  unavailable: Status.UNAVAILABLE,
  unimplemented: Status.UNIMPLEMENTED,
  aborted: Status.ABORTED,
  deadline_exceeded: Status.DEADLINE_EXCEEDED,
};

export type StatusError = ServiceError;

/**
 * The one error edge of a service: a domain error becomes its status code with
 * its own message; a database that cannot be reached is UNAVAILABLE in every
 * service (the contracts promise it; the caller retries); anything else is a
 * bug or an outage we did not anticipate, so it is logged with its stack and
 * the caller gets INTERNAL without internals leaking into the message.
 */
export function toStatusError(err: unknown, method: string, logger: Logger): StatusError {
  if (err instanceof DomainError) {
    return statusError(CODE_OF[err.kind], err.message);
  }
  if (isDatabaseUnavailable(err)) {
    return statusError(Status.UNAVAILABLE, 'the database is unreachable; retry with backoff');
  }
  logger.error({ err, method }, 'unexpected error in handler');
  return statusError(Status.INTERNAL, `internal error in ${method}; the server log has the details`);
}

export function statusError(code: Status, details: string): StatusError {
  const error = new Error(details) as StatusError;
  error.code = code;
  error.details = details;
  error.metadata = new Metadata();
  return error;
}
