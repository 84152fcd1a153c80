import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The Umami releases Recsys runs inside: the latest 2.x, 3.0 and 3.1. Their
 * schemas (the tables Recsys reads or references) are test fixtures in
 * tools/test/umami/, written from each release's own migrations; each file
 * names the Umami commit it was checked against.
 */
export const UMAMI_VERSIONS = ['v2.20.2', 'v3.0.3', 'v3.1.0'] as const;
export type UmamiVersion = (typeof UMAMI_VERSIONS)[number];

const FIXTURES_DIR = path.resolve(__dirname, '../../../../tools/test/umami');

/** The SQL that builds Umami `version`'s tables in the current schema. */
export function umamiSchemaSql(version: UmamiVersion): Promise<string> {
  return readFile(path.join(FIXTURES_DIR, `umami-${version}.sql`), 'utf8');
}
