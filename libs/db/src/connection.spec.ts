import { databaseOf, quoteIdent, redactUrl, waitForDatabase, withDatabase } from './connection';
import { findFreePort } from './embedded-postgres';
import { createTestDatabase } from './testing';

describe('connection URL helpers', () => {
  it('swap the database and keep credentials, host and parameters', () => {
    expect(withDatabase('postgres://u:p%40ss@h:5433/postgres?sslmode=disable', 'recsys_t_1')).toBe(
      'postgres://u:p%40ss@h:5433/recsys_t_1?sslmode=disable',
    );
    expect(databaseOf('postgres://u@h/shop')).toBe('shop');
    expect(databaseOf('postgres://alice@h')).toBe('alice');
  });

  it('redact passwords and quote identifiers', () => {
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });
});

describe('waitForDatabase', () => {
  it('resolves once the database answers', async () => {
    const db = await createTestDatabase({ migrated: false });
    try {
      await expect(waitForDatabase(db.url, 5_000)).resolves.toBeUndefined();
    } finally {
      await db.drop();
    }
  });

  it('rejects after the timeout, naming the server but not the password', async () => {
    const port = await findFreePort(); // nothing listens there
    const started = Date.now();
    const wait = waitForDatabase(`postgres://u:secret@127.0.0.1:${port}/db`, 400);
    await expect(wait).rejects.toThrow(`Database postgres://u:***@127.0.0.1:${port}/db not reachable within 400 ms`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});
