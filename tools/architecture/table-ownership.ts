import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Which app owns each table Recsys creates (docs/architecture.md, "Tables and
 * their owners"). Only the owner names a table in its SQL; what another service
 * needs crosses a contract. `website` is Umami's (or migration 001's): every
 * service may read it, only profile-service writes it (UpsertWebsites).
 * Offline jobs (the CLI's Umami import, the trainer) read only, and only their
 * sources: the CLI names no Recsys table.
 */
export const TABLE_OWNERS: Record<string, string> = {
  user_profiles: 'profile-service',
  profile_event_ids: 'profile-service',
  profile_sessions: 'profile-service',
  profile_affinities: 'profile-service',
  profile_prices: 'profile-service',
  profile_orders: 'profile-service',
  profile_pending: 'profile-service',
  interactions: 'profile-service',
  ml_models: 'registry-service',
  ml_model_activations: 'registry-service',
  catalog_items: 'ranking-service',
  recommendations: 'ranking-service',
  recommendation_daily_stats: 'ranking-service',
  website: 'profile-service',
};

/** Tables every app may read (FROM, JOIN) though another owns them. */
export const SHARED_READS = new Set(['website']);

/**
 * Offline jobs and the tables they read, read-only, though a service owns
 * them: `recsys train` learns from the interaction log and the catalog (it
 * opens a READ ONLY session). They write none, and read nothing else.
 */
export const OFFLINE_READS: Record<string, readonly string[]> = {
  'apps/cli/src/commands/training-data.ts': ['interactions', 'catalog_items', 'recommendations'],
};

export interface OwnershipViolation {
  file: string;
  table: string;
  rule: string;
}

// SQL as the code writes it: upper-case keywords before a table name. Reads are FROM and JOIN.
const WRITE = /\b(?:INSERT INTO|UPDATE|DELETE FROM|TRUNCATE(?: TABLE)?|ALTER TABLE|LOCK(?: TABLE)?)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)/g;
const READ = /(?<!DELETE )\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry) && !/\.spec\.ts$/.test(entry)) out.push(path);
  }
  return out;
}

/** Every place an app's source (src/, tests aside) names a table another app owns. */
export function findOwnershipViolations(root: string): OwnershipViolation[] {
  const violations: OwnershipViolation[] = [];
  const appsDir = join(root, 'apps');
  for (const app of existsSync(appsDir) ? readdirSync(appsDir) : []) {
    const src = join(appsDir, app, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(root, file);
      const seen = new Set<string>();
      const check = (table: string, write: boolean) => {
        const owner = TABLE_OWNERS[table];
        if (!owner || owner === app || (!write && SHARED_READS.has(table)) || seen.has(`${table}:${write}`)) return;
        if (!write && OFFLINE_READS[rel.split('\\').join('/')]?.includes(table)) return;
        seen.add(`${table}:${write}`);
        violations.push({ file: rel, table, rule: `${app} ${write ? 'writes' : 'reads'} ${table}, which ${owner} owns; ask ${owner} through its contract` });
      };
      for (const m of text.matchAll(WRITE)) check(m[1]!, true);
      for (const m of text.matchAll(READ)) check(m[1]!, false);
    }
  }
  return violations;
}
