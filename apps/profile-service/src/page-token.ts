import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@recsys/service-kit';

/** Where the previous page ended: the last profile's last_visit (microsecond text) and user_id. */
export interface ListCursor {
  lastVisit: string;
  userId: string;
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/**
 * Opaque page tokens: the cursor, a fingerprint of the website and filters it
 * was issued for (a token is only valid with those), and a checksum so a
 * mangled token is refused. The checksum is not a signature: a hand-made
 * token can only move the caller's own position inside its own website's
 * list, never across websites, since every query is scoped by website.
 */
export function encodePageToken(cursor: ListCursor, scope: string): string {
  const body = JSON.stringify({ v: 1, l: cursor.lastVisit, u: cursor.userId, f: digest(scope) });
  return Buffer.from(JSON.stringify({ b: body, c: digest(`recsys.profile.page:${body}`) })).toString('base64url');
}

export function decodePageToken(token: string, scope: string): ListCursor {
  const invalid = (why: string) => new InvalidArgumentError(why, 'page_token');
  let body: { v: number; l: string; u: string; f: string };
  try {
    const outer = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { b: string; c: string };
    if (typeof outer.b !== 'string' || outer.c !== digest(`recsys.profile.page:${outer.b}`)) throw new Error('checksum');
    body = JSON.parse(outer.b);
  } catch {
    throw invalid('is not a page token this service issued');
  }
  if (body.v !== 1 || typeof body.l !== 'string' || typeof body.u !== 'string' || Number.isNaN(Date.parse(body.l))) {
    throw invalid('is not a page token this service issued');
  }
  if (body.f !== digest(scope)) throw invalid('was issued for another website or other filters');
  return { lastVisit: body.l, userId: body.u };
}
