import { readFile } from 'node:fs/promises';
import type { ServiceError } from '@grpc/grpc-js';
import { RankingServiceClient } from '@recsys/contracts/ranking';
import { callMetadata, channelCredentials, type CliContext } from '../cli-context';
import { EXIT, exitCodeForStatus } from '../exit-codes';

const isServiceError = (e: unknown): e is ServiceError => typeof (e as ServiceError)?.code === 'number' && 'details' in (e as object);

export class UsageError extends Error {}

/** An input file that cannot be read: exit 66 (EX_NOINPUT). */
export class InputFileError extends Error {}

/**
 * Runs a command body against ranking-service; a gRPC failure prints the
 * server's message and sets the exit code for its kind (exit-codes.ts).
 */
export function rankingAction<A extends unknown[]>(ctx: () => CliContext, body: (c: CliContext, client: RankingServiceClient, ...args: A) => Promise<void>) {
  return async (...args: A) => {
    const c = ctx();
    const client = new RankingServiceClient(c.addresses.ranking, channelCredentials());
    try {
      await body(c, client, ...args);
    } catch (err) {
      if (isServiceError(err)) {
        c.err.write(`recsys: ${err.details || err.message}\n`);
        process.exitCode = exitCodeForStatus(err.code);
      } else if (err instanceof UsageError) {
        c.err.write(`recsys: ${err.message}\n`);
        process.exitCode = EXIT.usage;
      } else if (err instanceof InputFileError) {
        c.err.write(`recsys: ${err.message}\n`);
        process.exitCode = EXIT.notFound;
      } else throw err;
    } finally {
      client.close();
    }
  };
}

export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InputFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export function rankingUnary<Req, Res>(c: CliContext, client: RankingServiceClient, method: 'recommend' | 'upsertItems', request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    (client[method] as any).call(client, request, callMetadata(c), { deadline: Date.now() + 30_000 }, (err: ServiceError | null, res: Res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}
