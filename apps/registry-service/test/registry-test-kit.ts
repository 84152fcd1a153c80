import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import * as registry from '@recsys/contracts/registry';
import { ModelRegistryClient } from '@recsys/contracts/registry';
import { createTestDatabase, type TestDatabase } from '@recsys/db/testing';
import type { Env } from '@recsys/service-kit';
import { bootstrap, type BootstrapOptions, type RegistryService } from '../src/bootstrap';
import { loadServiceConfig } from '../src/config';

/** A registry on port 0 over a fresh database and a fresh artifact directory, with a client. */
export interface RegistryKit {
  db: TestDatabase;
  service: RegistryService;
  client: ModelRegistryClient;
  artifactDir: string;
  close(): Promise<void>;
}

export async function startRegistry(env: Env = {}, options: BootstrapOptions = {}): Promise<RegistryKit> {
  const db = await createTestDatabase();
  const artifactDir = await mkdtemp(join(tmpdir(), 'recsys-artifacts-'));
  const service = await bootstrap(
    loadServiceConfig({ DATABASE_URL: db.url, GRPC_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', ARTIFACT_DIR: artifactDir, FEATURE_NAME_CHECK: 'off', ...env }),
    options,
  );
  const client = new ModelRegistryClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  return {
    db,
    service,
    client,
    artifactDir,
    close: async () => {
      client.close();
      await service.close();
      await db.drop();
      await rm(artifactDir, { recursive: true, force: true });
    },
  };
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every committed and staged file under the artifact directory, relative. */
export async function artifactFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

export interface UploadOptions {
  header?: Partial<registry.ModelUploadHeader>;
  chunkBytes?: number;
  /** Sends these bytes instead of `bytes` (the header still describes `bytes`). */
  send?: Uint8Array;
  /** Cancels the call after this many bytes instead of finishing it. */
  cancelAfterBytes?: number;
  /** Raw messages instead of header + chunks. */
  messages?: registry.UploadModelRequest[];
  metadata?: Metadata;
}

export function upload(client: ModelRegistryClient, name: string, version: string, bytes: Uint8Array, o: UploadOptions = {}): Promise<registry.UploadModelResponse> {
  return new Promise((resolve, reject) => {
    const call = client.uploadModel(o.metadata ?? new Metadata(), (err: ServiceError | null, res?: registry.UploadModelResponse) => (err ? reject(err) : resolve(res!)));
    if (o.messages) {
      for (const m of o.messages) call.write(m);
      call.end();
      return;
    }
    const header = registry.ModelUploadHeader.fromPartial({ name, version, sha256: sha256(bytes), sizeBytes: bytes.length, ...o.header });
    call.write({ payload: { $case: 'header', value: header } });
    const data = o.send ?? bytes;
    const step = o.chunkBytes ?? 64 * 1024;
    // One chunk per macrotask, like a real client reading a file: the test's own encoding must not stall the shared event loop.
    void (async () => {
      for (let at = 0; at < data.length; at += step) {
        if (o.cancelAfterBytes !== undefined && at >= o.cancelAfterBytes) {
          setTimeout(() => call.cancel(), 50);
          return;
        }
        call.write({ payload: { $case: 'chunk', value: Buffer.from(data.subarray(at, at + step)) } });
        await new Promise((r) => setImmediate(r));
      }
      call.end();
    })();
  });
}

/** Promisified unary call on the registry client, by method name; the request is completed with proto defaults. */
export function call<K extends keyof ModelRegistryClient>(
  client: ModelRegistryClient,
  method: K,
  request: object,
  metadata: Metadata = new Metadata(),
): Promise<any> {
  const type = (registry as any)[`${String(method)[0].toUpperCase()}${String(method).slice(1)}Request`];
  const full = type.fromPartial(request);
  return new Promise((resolve, reject) =>
    (client[method] as any).call(client, full, metadata, (err: ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res))),
  );
}

export async function download(client: ModelRegistryClient, name: string, version: string): Promise<{ model: registry.Model; bytes: Buffer; chunks: number }> {
  const stream = client.downloadModel({ name, version });
  let model: registry.Model | undefined;
  const parts: Buffer[] = [];
  for await (const message of stream as AsyncIterable<registry.DownloadModelResponse>) {
    if (message.payload?.$case === 'model') model = message.payload.value;
    else if (message.payload?.$case === 'chunk') parts.push(message.payload.value);
  }
  return { model: model!, bytes: Buffer.concat(parts), chunks: parts.length };
}

export async function rowCount(db: TestDatabase, where = 'true'): Promise<number> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM ml_models WHERE ${where}`)).rows[0].n;
  } finally {
    await c.end();
  }
}

export async function sql(db: TestDatabase, text: string, params: unknown[] = []): Promise<any[]> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}
