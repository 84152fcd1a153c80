import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';

/**
 * What every command gets: where the services are, the credential to send,
 * and where to write. Built once in main.ts from the environment and global
 * flags, passed down, so commands are testable with captured output.
 */
export interface CliContext {
  readonly addresses: { profile: string; registry: string; ranking: string };
  readonly token?: string;
  /** DATABASE_URL: what offline commands (recsys train) read, read-only. */
  readonly databaseUrl?: string;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  /** False when stdout is not a terminal: no progress bars, no colours. */
  readonly interactive: boolean;
}

export function channelCredentials(): ChannelCredentials {
  return credentials.createInsecure();
}

/** `authorization: Bearer <token>` when a token is configured. */
export function callMetadata(ctx: CliContext): Metadata {
  const md = new Metadata();
  if (ctx.token) md.set('authorization', `Bearer ${ctx.token}`);
  return md;
}

export function contextFromEnv(env: NodeJS.ProcessEnv, flags: { token?: string }): CliContext {
  return {
    addresses: {
      profile: env.RECSYS_PROFILE_ADDR ?? '127.0.0.1:50051',
      registry: env.RECSYS_REGISTRY_ADDR ?? '127.0.0.1:50052',
      ranking: env.RECSYS_RANKING_ADDR ?? '127.0.0.1:50053',
    },
    token: flags.token ?? env.RECSYS_TOKEN,
    databaseUrl: env.DATABASE_URL,
    out: process.stdout,
    err: process.stderr,
    interactive: Boolean(process.stdout.isTTY),
  };
}
