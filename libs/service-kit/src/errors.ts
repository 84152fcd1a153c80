/**
 * Typed domain errors. Domain code throws these and knows nothing of gRPC;
 * the error edge (`error-edge.ts`) is the one place that turns them into
 * status codes. The message is sent to the caller as-is, so it must say what
 * to fix ("count must be between 1 and 100, got 500").
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'permission_denied'
  | 'unauthenticated'
  | 'resource_exhausted'
  | 'data_loss'
  | 'unavailable'
  | 'unimplemented'
  | 'aborted'
  | 'deadline_exceeded';

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidArgumentError extends DomainError {
  readonly kind = 'invalid_argument';
  /** The request field at fault, as a path (`events[3].price`), when there is one. */
  constructor(message: string, readonly field?: string) {
    super(field ? `${field}: ${message}` : message);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

export class AlreadyExistsError extends DomainError {
  readonly kind = 'already_exists';
}

export class FailedPreconditionError extends DomainError {
  readonly kind = 'failed_precondition';
}

export class PermissionDeniedError extends DomainError {
  readonly kind = 'permission_denied';
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

export class ResourceExhaustedError extends DomainError {
  readonly kind = 'resource_exhausted';
}

export class DataLossError extends DomainError {
  readonly kind = 'data_loss';
}

export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

export class UnimplementedError extends DomainError {
  readonly kind = 'unimplemented';
}

export class AbortedError extends DomainError {
  readonly kind = 'aborted';
}

export class DeadlineExceededError extends DomainError {
  readonly kind = 'deadline_exceeded';
}
