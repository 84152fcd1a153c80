import type { ServiceError } from '@grpc/grpc-js';
import { callMetadata, type CliContext } from './cli-context';
import { EXIT, exitCodeForStatus } from './exit-codes';

export const isServiceError = (e: unknown): e is ServiceError =>
  typeof (e as ServiceError)?.code === 'number' && 'details' in (e as object);

/** Arguments the server never saw were wrong: exit 2. */
export class UsageError extends Error {}

/** An input file that cannot be read: exit 66 (EX_NOINPUT). */
export class InputFileError extends Error {}

/** A UUID, as --website and the services take one. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The data given cannot serve the purpose (too little to learn from): exit 65 (EX_DATAERR). */
export class DataError extends Error {}

/**
 * Runs a command body with a client of one service, closed afterwards. A gRPC
 * failure prints the server's message and sets the exit code for its kind
 * (exit-codes.ts); our own usage and input errors get theirs; anything else
 * is a bug and propagates (main.ts exits 70).
 */
export function clientAction<C extends { close(): void }, A extends unknown[]>(
  ctx: () => CliContext,
  connect: (c: CliContext) => C,
  body: (c: CliContext, client: C, ...args: A) => Promise<void>,
) {
  return async (...args: A) => {
    const c = ctx();
    const client = connect(c);
    try {
      await body(c, client, ...args);
    } catch (err) {
      reportFailure(c, err);
    } finally {
      client.close();
    }
  };
}

/** A command body that calls no service (it reads the database or files): our own errors get their exit codes. */
export function localAction<A extends unknown[]>(ctx: () => CliContext, body: (c: CliContext, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const c = ctx();
    try {
      await body(c, ...args);
    } catch (err) {
      reportFailure(c, err);
    }
  };
}

/** Prints a known failure and sets its exit code; rethrows anything else (a bug: main.ts exits 70). */
function reportFailure(c: CliContext, err: unknown): void {
  const code = isServiceError(err) ? exitCodeForStatus(err.code) : err instanceof UsageError ? EXIT.usage : err instanceof InputFileError ? EXIT.notFound : err instanceof DataError ? EXIT.dataError : undefined;
  if (code === undefined) throw err;
  c.err.write(`recsys: ${isServiceError(err) ? err.details || err.message : (err as Error).message}\n`);
  process.exitCode = code;
}

/**
 * One unary call of `client[method]` with the configured credential,
 * bounded by `deadlineMs` when given. The typed per-service wrappers
 * (rankingUnary, the profile and registry commands' own) narrow `method`.
 */
export function unaryCall<Res>(c: CliContext, client: object, method: string, request: unknown, deadlineMs?: number): Promise<Res> {
  const options = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
  return new Promise((resolve, reject) =>
    (client as Record<string, Function>)[method]!.call(client, request, callMetadata(c), options, (err: ServiceError | null, res: Res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}
