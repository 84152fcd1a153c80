import { status as Status } from '@grpc/grpc-js';

/**
 * Exit codes that mean something to a script (sysexits.h where one fits):
 * 0 done; 2 bad usage (our own argument checks, and commander's); 65 the
 * server refused the input (INVALID_ARGUMENT, FAILED_PRECONDITION,
 * ALREADY_EXISTS…); 66 not found; 69 the service is unreachable; 77 not
 * allowed (credentials); 70 anything else went wrong on the server.
 */
export const EXIT = {
  ok: 0,
  usage: 2,
  /** recsys train --activate-if-better: the new model did not clear the bar; it is uploaded, not activated. */
  notBetter: 3,
  dataError: 65,
  notFound: 66,
  unavailable: 69,
  software: 70,
  noPermission: 77,
} as const;

export function exitCodeForStatus(code: Status): number {
  switch (code) {
    case Status.INVALID_ARGUMENT:
    case Status.FAILED_PRECONDITION:
    case Status.ALREADY_EXISTS:
    case Status.OUT_OF_RANGE:
    case Status.DATA_LOSS:
    case Status.RESOURCE_EXHAUSTED:
      return EXIT.dataError;
    case Status.NOT_FOUND:
      return EXIT.notFound;
    case Status.UNAVAILABLE:
    case Status.DEADLINE_EXCEEDED:
      return EXIT.unavailable;
    case Status.UNAUTHENTICATED:
    case Status.PERMISSION_DENIED:
      return EXIT.noPermission;
    default:
      return EXIT.software;
  }
}
