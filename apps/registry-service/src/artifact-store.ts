import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Where model files live. Artifacts are content-addressed by sha256, so two
 * versions with the same bytes share one file and a path never changes
 * meaning. An upload is staged in a local file first (validation needs a
 * file onnxruntime can load) and only becomes visible through `commit`,
 * atomically. An object store implements the same interface.
 */
export interface ArtifactStore {
  /** Starts staging a new artifact. */
  stage(): Promise<StagedArtifact>;
  /** Reads a committed artifact in chunks of at most `chunkBytes`; throws ArtifactMissingError when it is gone. */
  read(artifactPath: string, chunkBytes: number): AsyncIterable<Buffer>;
  /** Throws ArtifactMissingError when the artifact is gone; resolves its size otherwise. */
  size(artifactPath: string): Promise<number>;
  /** Removes a committed artifact; false when it was already gone. */
  delete(artifactPath: string): Promise<boolean>;
}

export interface StagedArtifact {
  /** A local file holding the bytes written so far (complete after `finish`). */
  readonly localPath: string;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to disk (fsync); call before validating and committing. */
  finish(): Promise<void>;
  /** Makes the artifact visible under its content address; returns the artifact_path to record. */
  commit(sha256: string): Promise<string>;
  /** Drops the staged bytes. Safe to call at any point, also after commit (then a no-op). */
  discard(): Promise<void>;
}

export class ArtifactMissingError extends Error {
  constructor(readonly artifactPath: string) {
    super(`artifact ${artifactPath} is missing from the store`);
    this.name = 'ArtifactMissingError';
  }
}

const SHA_RE = /^[0-9a-f]{64}$/;

/**
 * The default store: a local directory. Layout: `<sha[0:2]>/<sha>.onnx`, and
 * `.staging/` for uploads in progress. A commit is fsync(file) → rename →
 * fsync(directory), so after a crash a path is either absent or complete.
 */
export class LocalArtifactStore implements ArtifactStore {
  private readonly staging: string;

  constructor(readonly root: string) {
    this.staging = join(root, '.staging');
  }

  /** Creates the directories and removes staging files left by a crash (older than `staleMs`; other replicas may be uploading). */
  async init(staleMs = 60 * 60 * 1000): Promise<void> {
    await mkdir(this.staging, { recursive: true });
    const now = Date.now();
    for (const name of await readdir(this.staging)) {
      const file = join(this.staging, name);
      const s = await stat(file).catch(() => undefined);
      if (s && now - s.mtimeMs > staleMs) await rm(file, { force: true });
    }
  }

  async stage(): Promise<StagedArtifact> {
    await mkdir(this.staging, { recursive: true });
    const localPath = join(this.staging, `${randomUUID()}.part`);
    const handle = await open(localPath, 'wx');
    return new LocalStagedArtifact(this, localPath, handle);
  }

  pathOf(artifactPath: string): string {
    // Only paths this store issued are accepted: nothing can point outside the root.
    const m = /^([0-9a-f]{2})\/([0-9a-f]{64})\.onnx$/.exec(artifactPath);
    if (!m || !m[2].startsWith(m[1])) throw new ArtifactMissingError(artifactPath);
    return join(this.root, artifactPath);
  }

  async *read(artifactPath: string, chunkBytes: number): AsyncIterable<Buffer> {
    const file = this.pathOf(artifactPath);
    const stream = createReadStream(file, { highWaterMark: chunkBytes });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactMissingError(artifactPath);
      throw err;
    } finally {
      stream.destroy();
    }
  }

  async size(artifactPath: string): Promise<number> {
    try {
      return (await stat(this.pathOf(artifactPath))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactMissingError(artifactPath);
      throw err;
    }
  }

  async delete(artifactPath: string): Promise<boolean> {
    const file = this.pathOf(artifactPath);
    try {
      await rm(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** @internal used by LocalStagedArtifact */
  async place(localPath: string, sha256: string): Promise<string> {
    if (!SHA_RE.test(sha256)) throw new Error(`not a lowercase sha256: ${sha256}`);
    const artifactPath = `${sha256.slice(0, 2)}/${sha256}.onnx`;
    const target = join(this.root, artifactPath);
    await mkdir(dirname(target), { recursive: true });
    // Same sha256 = same bytes: replacing an existing file is harmless and keeps this idempotent.
    await rename(localPath, target);
    await fsyncDir(dirname(target));
    return artifactPath;
  }
}

class LocalStagedArtifact implements StagedArtifact {
  private done = false;

  constructor(
    private readonly store: LocalArtifactStore,
    readonly localPath: string,
    private handle: FileHandle | undefined,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (!this.handle) throw new Error('staged artifact is closed');
    let offset = 0;
    while (offset < chunk.length) offset += (await this.handle.write(chunk, offset)).bytesWritten;
  }

  async finish(): Promise<void> {
    if (!this.handle) return;
    await this.handle.sync();
    await this.handle.close();
    this.handle = undefined;
  }

  async commit(sha256: string): Promise<string> {
    await this.finish();
    const path = await this.store.place(this.localPath, sha256);
    this.done = true;
    return path;
  }

  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await rm(this.localPath, { force: true });
  }
}

async function fsyncDir(dir: string) {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
