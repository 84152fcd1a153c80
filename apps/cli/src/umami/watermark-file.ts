import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Watermark } from './umami-source';

/** What an import remembers per (source database, website). */
export interface WebsiteState extends Watermark {
  /** The website's reporting currency, decided once (the first run that saw revenue, or --currency). */
  currency?: string;
  /** Events read per UTC day within the late-event window: a day whose count in Umami grew is read again. */
  days?: Record<string, number>;
}

/**
 * Import state, one entry per (source database, website), in a small JSON
 * file: `--state-file`, else `$RECSYS_STATE_DIR/umami-import.json`, else
 * `~/.recsys/umami-import.json`. Written atomically after every batch the
 * service acknowledged, so an interrupted import resumes where it stopped.
 */
export class WatermarkFile {
  private state: Record<string, WebsiteState> = {};

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

  /** The source is identified by host, port, database and schema, never by its credentials. */
  static sourceKey(sourceUrl: string, schema?: string): string {
    const u = new URL(sourceUrl);
    const where = `${u.hostname}:${u.port || 5432}/${u.pathname.replace(/^\//, '') || u.username}`;
    return createHash('sha256').update(schema ? `${where}#${schema}` : where).digest('hex').slice(0, 16);
  }

  get(source: string, websiteId: string): WebsiteState | undefined {
    return this.state[`${source}/${websiteId}`];
  }

  async set(source: string, websiteId: string, state: WebsiteState): Promise<void> {
    this.state[`${source}/${websiteId}`] = state;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.state, null, 2));
    await rename(tmp, this.path);
  }
}
