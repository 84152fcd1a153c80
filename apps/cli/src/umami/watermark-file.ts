import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Watermark } from './umami-source';

/**
 * Import watermarks, one per (source database, website), in a small JSON
 * file: `--state-file`, else `$RECSYS_STATE_DIR/umami-import.json`, else
 * `~/.recsys/umami-import.json`. Written atomically after every batch the
 * service acknowledged, so an interrupted import resumes where it stopped.
 */
export class WatermarkFile {
  private state: Record<string, Watermark> = {};

  private constructor(readonly path: string) {}

  static defaultPath(env: NodeJS.ProcessEnv): string {
    return join(env.RECSYS_STATE_DIR ?? join(homedir(), '.recsys'), 'umami-import.json');
  }

  static async open(path: string): Promise<WatermarkFile> {
    const file = new WatermarkFile(path);
    try {
      file.state = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the import state file ${path}: ${(err as Error).message}`);
    }
    return file;
  }

  /** The source is identified by host, port and database, never by its credentials. */
  static sourceKey(sourceUrl: string): string {
    const u = new URL(sourceUrl);
    return createHash('sha256').update(`${u.hostname}:${u.port || 5432}/${u.pathname.replace(/^\//, '') || u.username}`).digest('hex').slice(0, 16);
  }

  get(source: string, websiteId: string): Watermark | undefined {
    return this.state[`${source}/${websiteId}`];
  }

  async set(source: string, websiteId: string, mark: Watermark): Promise<void> {
    this.state[`${source}/${websiteId}`] = mark;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.state, null, 2));
    await rename(tmp, this.path);
  }
}
