import type { Client } from 'pg';

/**
 * A table's shape as PostgreSQL reports it (pg_catalog), in short strings a
 * spec can compare with expectations written from the SQL:
 *   columns      "name type[ NOT NULL][ DEFAULT expr]" in column order
 *   indexes      "name: definition" (pg_indexes.indexdef without "ON public.<table> USING btree")
 *   constraints  "name: definition" (pg_get_constraintdef), sorted by name
 *   comments     { '': table comment, column: comment }
 */
export interface TableShape {
  columns: string[];
  indexes: string[];
  constraints: string[];
  comments: Record<string, string>;
}

export async function describeTable(client: Client, table: string): Promise<TableShape> {
  const columns = await client.query<{ line: string }>(
    `SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
            || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
       FROM pg_attribute a
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [table],
  );
  const indexes = await client.query<{ line: string }>(
    `SELECT indexname || ': ' || replace(indexdef, ' ON public.' || tablename || ' USING btree', '') AS line
       FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1 ORDER BY indexname`,
    [table],
  );
  const constraints = await client.query<{ line: string }>(
    `SELECT conname || ': ' || pg_get_constraintdef(oid) AS line
       FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`,
    [table],
  );
  const comments = await client.query<{ col: string; comment: string }>(
    `SELECT COALESCE(a.attname, '') AS col, d.description AS comment
       FROM pg_description d
       LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid AND d.objsubid > 0
      WHERE d.objoid = $1::regclass AND d.classoid = 'pg_class'::regclass`,
    [table],
  );
  return {
    columns: columns.rows.map((r) => r.line),
    indexes: indexes.rows.map((r) => r.line),
    constraints: constraints.rows.map((r) => r.line),
    comments: Object.fromEntries(comments.rows.map((r) => [r.col, r.comment])),
  };
}

/** The SQLSTATE a statement fails with (23505 unique, 23514 check, 23503 FK), or 'ok'. */
export async function sqlState(client: Client, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await client.query(sql, params);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
