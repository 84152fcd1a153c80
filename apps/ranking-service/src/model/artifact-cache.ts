import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ModelIdentity } from './loaded-model';

/** What serves each scope ('' = global, else a website id), as last seen from the registry. */
export type ServingState = Record<string, ModelIdentity>;

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The local disk cache: ONNX files named by their sha256 (content-addressed,
 * so two scopes or versions with the same bytes share one file) and
 * `serving-state.json`, which records what served each scope, so a restart
 * with the registry down serves the same models. Writes go to a temporary
 * file then rename(2), so a crash never leaves a half-written file under a
 * real name; reads re-check the hash, so a corrupted file is never loaded.
 */
export class ArtifactCache {
  private readonly artifactsDir: string;
  private readonly statePath: string;

  constructor(
    readonly dir: string,
    /** Unreferenced artifacts kept for quick rollbacks; older ones are deleted. */
    private readonly keepUnreferenced = 4,
  ) {
    this.artifactsDir = join(dir, 'artifacts');
    this.statePath = join(dir, 'serving-state.json');
  }

  async init(): Promise<void> {
    await mkdir(this.artifactsDir, { recursive: true });
    // Leftovers of a process killed mid-write; recent ones may belong to another replica sharing the directory.
    for (const dir of [this.dir, this.artifactsDir]) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!name.startsWith('.tmp-')) continue;
        const info = await stat(join(dir, name)).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > 10 * 60_000) await rm(join(dir, name), { force: true });
      }
    }
  }

  /** The cached bytes of `sha256`, or undefined if absent or corrupted (a corrupted file is deleted). */
  async read(sha256: string): Promise<Uint8Array | undefined> {
    if (!SHA256.test(sha256)) return undefined;
    const path = this.pathOf(sha256);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    if (sha256Hex(bytes) !== sha256) {
      await rm(path, { force: true });
      return undefined;
    }
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined); // recency for pruning
    return bytes;
  }

  async write(sha256: string, bytes: Uint8Array): Promise<void> {
    if (!SHA256.test(sha256) || sha256Hex(bytes) !== sha256) throw new Error(`refusing to cache bytes that do not hash to ${sha256}`);
    await this.atomicWrite(this.pathOf(sha256), bytes);
  }

  async readState(): Promise<ServingState> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.statePath, 'utf8'));
      if (!parsed || typeof parsed !== 'object') return {};
      return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter(([, m]) => isIdentity(m))) as ServingState;
    } catch {
      return {};
    }
  }

  /** Records the serving state and deletes artifacts it no longer needs (beyond the few kept for rollback). */
  async writeState(state: ServingState): Promise<void> {
    await this.atomicWrite(this.statePath, JSON.stringify(state, null, 2) + '\n');
    await this.prune(new Set(Object.values(state).map((m) => m.sha256)));
  }

  private async prune(referenced: Set<string>): Promise<void> {
    const entries = await readdir(this.artifactsDir).catch(() => [] as string[]);
    const stale: { path: string; mtime: number }[] = [];
    for (const name of entries) {
      const path = join(this.artifactsDir, name);
      const sha = name.replace(/\.onnx$/, '');
      if (name.startsWith('.tmp-') || referenced.has(sha)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info) stale.push({ path, mtime: info.mtimeMs });
    }
    stale.sort((a, b) => b.mtime - a.mtime);
    for (const { path } of stale.slice(this.keepUnreferenced)) await rm(path, { force: true });
  }

  private pathOf(sha256: string): string {
    return join(this.artifactsDir, `${sha256}.onnx`);
  }

  private async atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
    // Beside the target: rename(2) is atomic only within one file system.
    const tmp = join(dirname(path), `.tmp-${randomUUID()}`);
    try {
      await writeFile(tmp, data);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

function isIdentity(m: unknown): m is ModelIdentity {
  const o = m as Partial<ModelIdentity> | null;
  return (
    !!o &&
    typeof o.name === 'string' &&
    typeof o.version === 'string' &&
    typeof o.sha256 === 'string' &&
    SHA256.test(o.sha256) &&
    typeof o.inputName === 'string' &&
    typeof o.outputName === 'string' &&
    Array.isArray(o.featureNames) &&
    o.featureNames.every((f) => typeof f === 'string')
  );
}
