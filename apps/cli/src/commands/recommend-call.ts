import { readFile } from 'node:fs/promises';
import { RankingServiceClient } from '@recsys/contracts/ranking';
import { channelCredentials, type CliContext } from '../cli-context';
import { clientAction, InputFileError, unaryCall, UsageError } from '../command-action';

export { InputFileError, UsageError };

/** Runs a command body against ranking-service (see clientAction for failures and exit codes). */
export function rankingAction<A extends unknown[]>(ctx: () => CliContext, body: (c: CliContext, client: RankingServiceClient, ...args: A) => Promise<void>) {
  return clientAction(ctx, (c) => new RankingServiceClient(c.addresses.ranking, channelCredentials()), body);
}

export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InputFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

export function rankingUnary<Req, Res>(c: CliContext, client: RankingServiceClient, method: 'recommend' | 'upsertItems', request: Req): Promise<Res> {
  return unaryCall<Res>(c, client, method, request, 30_000);
}
