import { z } from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses environment variables once, at start, with a zod schema keyed by
 * variable name; the result is deep-frozen. Every problem is reported at once,
 * each naming the variable, what is expected and what was found, so a
 * misconfigured deployment fails on its first line of output rather than on
 * its first request.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): DeepReadonly<z.output<S>> {
  // An empty value (`FOO=` in an env file) means "not set", not "the empty string".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.map(String).join('.') || '(config)';
        const found = issue.path.length === 1 ? present[String(issue.path[0])] : undefined;
        return `${variable}: ${issue.message}${found === undefined ? '' : ` (got ${JSON.stringify(found)})`}`;
      }),
    );
  }
  return deepFreeze(parsed.data) as DeepReadonly<z.output<S>>;
}

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// --- building blocks for the services' schemas -----------------------------

export const env = {
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a TCP port number' })
      .int('expected a whole number')
      .min(0, 'expected a port from 0 to 65535 (0 = any free port)')
      .max(65535, 'expected a port from 0 to 65535 (0 = any free port)')
      .default(fallback),
  positiveInt: (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce
      .number({ error: 'expected a number' })
      .int('expected a whole number')
      .min(0, 'expected a whole number >= 0')
      .max(max, `expected a whole number <= ${max}`)
      .default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
      .transform((v) => v === 'true' || v === '1' || v === 'yes')
      .default(fallback),
  postgresUrl: () =>
    z
      .string({ error: 'is required: a PostgreSQL connection URL such as postgres://user@host:5432/db' })
      .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'expected a URL starting with postgres:// or postgresql://'),
  logLevel: () =>
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  host: (fallback: string) => z.string().min(1).default(fallback),
  tokenList: () =>
    z
      .string()
      .transform((v) => v.split(',').map((t) => t.trim()).filter(Boolean))
      .refine((tokens) => tokens.every((t) => t.length >= 16 && !/\s/.test(t)), 'expected comma-separated tokens of at least 16 characters, no spaces')
      .default([]),
};

/**
 * The variables every service reads. Ports default per service so the three
 * can run side by side on one machine without configuration.
 */
export function commonServiceEnv(defaults: { grpcPort: number; metricsPort: number }) {
  return {
    DATABASE_URL: env.postgresUrl(),
    GRPC_HOST: env.host('127.0.0.1'),
    GRPC_PORT: env.port(defaults.grpcPort),
    METRICS_HOST: env.host('127.0.0.1'),
    METRICS_PORT: env.port(defaults.metricsPort),
    LOG_LEVEL: env.logLevel(),
    MIGRATE_ON_START: env.bool(true),
    SHUTDOWN_GRACE_MS: env.positiveInt(0, 600_000),
    SHUTDOWN_TIMEOUT_MS: env.positiveInt(10_000, 600_000),
    AUTH_ADMIN_TOKENS: env.tokenList(),
    AUTH_SERVICE_TOKENS: env.tokenList(),
  };
}

export interface CommonServiceConfig {
  databaseUrl: string;
  grpc: { host: string; port: number };
  metrics: { host: string; port: number };
  logLevel: z.output<ReturnType<typeof env.logLevel>>;
  migrateOnStart: boolean;
  shutdown: { graceMs: number; timeoutMs: number };
  auth: { adminTokens: readonly string[]; serviceTokens: readonly string[] };
}

type CommonEnv = z.output<z.ZodObject<ReturnType<typeof commonServiceEnv>>>;

export function commonServiceConfig(e: CommonEnv): CommonServiceConfig {
  return {
    databaseUrl: e.DATABASE_URL,
    grpc: { host: e.GRPC_HOST, port: e.GRPC_PORT },
    metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT },
    logLevel: e.LOG_LEVEL,
    migrateOnStart: e.MIGRATE_ON_START,
    shutdown: { graceMs: e.SHUTDOWN_GRACE_MS, timeoutMs: e.SHUTDOWN_TIMEOUT_MS },
    auth: { adminTokens: e.AUTH_ADMIN_TOKENS, serviceTokens: e.AUTH_SERVICE_TOKENS },
  };
}
