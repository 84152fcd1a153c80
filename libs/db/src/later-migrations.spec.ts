import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { describeTable, sqlState } from '../test/introspect';
import { ML_MODELS, RECOMMENDATIONS, TZ, USER_PROFILES } from '../test/seed-shapes';
import { createTestDatabase, type TestDatabase } from './testing';

/** Migrations 003-007 on top of the seed: their exact schema changes, then their behaviour. */
let db: TestDatabase;
let client: Client;
beforeAll(async () => {
  db = await createTestDatabase();
  client = new Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const without = (lines: string[], ...names: string[]) => lines.filter((l) => !names.some((n) => l.startsWith(n)));
const sorted = (lines: string[]) => [...lines].sort();
/** How PostgreSQL spells `CHECK (column IN (...))` on a varchar column. */
const enumCheck = (table: string, column: string, values: string[]) =>
  `${table}_${column}_check: CHECK (((${column})::text = ANY ((ARRAY[${values
    .map((v) => `'${v}'::character varying`)
    .join(', ')}])::text[])))`;

async function website(name = 'site'): Promise<string> {
  const id = randomUUID();
  await client.query('INSERT INTO website (website_id, name) VALUES ($1, $2)', [id, name]);
  return id;
}

describe('schema after all migrations', () => {
  it('user_profiles: unique per (website_id, user_id) and checked enumerations (003, 004)', async () => {
    const shape = await describeTable(client, 'user_profiles');
    expect(shape.columns).toEqual([
      ...USER_PROFILES.columns,
      // profile-service's counters (010)
      'product_view_count integer NOT NULL DEFAULT 0',
      'add_to_cart_count integer NOT NULL DEFAULT 0',
      'time_on_page_sum bigint NOT NULL DEFAULT 0',
      'time_on_page_count integer NOT NULL DEFAULT 0',
      'scroll_depth_sum bigint NOT NULL DEFAULT 0',
      'scroll_depth_count integer NOT NULL DEFAULT 0',
      // derived-field versions (011)
      'derived_version bigint NOT NULL DEFAULT 0',
      'derived_settled bigint NOT NULL DEFAULT 0',
      // what TrackEvents moves instead of the indexed last_visit (019)
      `last_seen_at ${TZ}`,
    ]);
    expect(shape.comments).toEqual({ ...USER_PROFILES.comments, last_seen_at: 'Newest event time; last_visit follows it when the profile is settled' });
    expect(shape.indexes).toEqual(
      sorted([
        // 012 drops idx_user_profiles_website_id: a prefix of the unique (website_id, user_id)
        ...without(USER_PROFILES.indexes, 'user_profiles_user_id_key', 'idx_user_profiles_website_id'),
        'user_profiles_website_id_user_id_key: CREATE UNIQUE INDEX user_profiles_website_id_user_id_key (website_id, user_id)',
        'idx_user_profiles_website_last_visit: CREATE INDEX idx_user_profiles_website_last_visit (website_id, last_visit)',
        // 011's idx_user_profiles_derived_pending is dropped by 019 (profile_pending instead)
      ]),
    );
    expect(shape.constraints).toEqual(
      sorted([
        ...without(USER_PROFILES.constraints, 'user_profiles_user_id_key'),
        'user_profiles_website_id_user_id_key: UNIQUE (website_id, user_id)',
        enumCheck('user_profiles', 'lifecycle_stage', ['new', 'active', 'at_risk', 'churned']),
        enumCheck('user_profiles', 'funnel_position', ['awareness', 'consideration', 'decision', 'retention']),
        enumCheck('user_profiles', 'price_sensitivity', ['low', 'medium', 'high']),
        enumCheck('user_profiles', 'device_preference', ['mobile', 'tablet', 'desktop']),
      ]),
    );
  });

  it('ml_models: registry columns, status check, one-active index (004, 005)', async () => {
    const shape = await describeTable(client, 'ml_models');
    expect(shape.columns).toEqual([
      ...ML_MODELS.columns,
      'website_id uuid',
      'artifact_sha256 character(64)',
      'feature_names jsonb',
      'input_name character varying(255)',
      'output_name character varying(255)',
      'description text',
      `updated_at ${TZ} NOT NULL DEFAULT now()`,
    ]);
    expect(shape.indexes).toEqual(
      sorted([
        ...ML_MODELS.indexes,
        'idx_ml_models_website: CREATE INDEX idx_ml_models_website (website_id)',
        'uq_ml_models_one_active: CREATE UNIQUE INDEX uq_ml_models_one_active ' +
          "(name, COALESCE(website_id, '00000000-0000-0000-0000-000000000000'::uuid)) WHERE is_active",
      ]),
    );
    expect(shape.constraints).toEqual(
      sorted([
        ...ML_MODELS.constraints,
        'fk_ml_models_website: FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE',
        "ml_models_artifact_sha256_check: CHECK ((artifact_sha256 ~ '^[0-9a-f]{64}$'::text))",
        enumCheck('ml_models', 'status', ['training', 'validating', 'production', 'archived']),
      ]),
    );
    expect(shape.comments).toEqual({
      ...ML_MODELS.comments,
      website_id: 'Website this model serves; NULL = every website',
      artifact_sha256: 'Lowercase hex sha256 of the artifact bytes',
      feature_names: 'JSONB array: the feature vocabulary names, in model input column order',
    });
  });

  it('recommendations: request_id (007), score double (015), renamed recommendation_id (022), partitioned by day with the indexes 020/021 left and a partial user index (024)', async () => {
    const shape = await describeTable(client, 'recommendations');
    expect(shape.columns).toEqual([
      ...RECOMMENDATIONS.columns.map((c) =>
        c === 'score numeric(5,4)' ? 'score double precision' : c === 'shown_at timestamp with time zone DEFAULT now()' ? 'shown_at timestamp with time zone NOT NULL DEFAULT now()' : c,
      ),
      'recommendation_id uuid',
    ]);
    // 020 dropped idx_recommendations_website and 007's (website_id, request_id); 021 the item, outcome
    // and (website_id, session_id) indexes, and made shown_at's BRIN; 024 makes them partitioned
    // indexes (ON ONLY the parent, one per partition) and the user index partial.
    expect(shape.indexes).toEqual(
      sorted([
        'idx_recommendations_recommendation_id: CREATE INDEX idx_recommendations_recommendation_id ON ONLY public.recommendations USING btree (recommendation_id)',
        'idx_recommendations_session: CREATE INDEX idx_recommendations_session ON ONLY public.recommendations USING btree (session_id)',
        'idx_recommendations_shown_at: CREATE INDEX idx_recommendations_shown_at ON ONLY public.recommendations USING brin (shown_at)',
        'idx_recommendations_user: CREATE INDEX idx_recommendations_user ON ONLY public.recommendations USING btree (user_id) WHERE (user_id IS NOT NULL)',
        'idx_recommendations_website_shown_at: CREATE INDEX idx_recommendations_website_shown_at ON ONLY public.recommendations USING btree (website_id, shown_at)',
        'recommendations_pkey: CREATE UNIQUE INDEX recommendations_pkey ON ONLY public.recommendations USING btree (id, shown_at)',
      ]),
    );
    // No foreign key to website since 024: the trigger website_delete_recommendations instead.
    expect(shape.constraints).toEqual(['recommendations_pkey: PRIMARY KEY (id, shown_at)']);
    expect(shape.comments).toEqual({
      ...RECOMMENDATIONS.comments,
      '':
        'Historical recommendations for analysis and learning (partitioned by day of shown_at, kept RECOMMENDATION_RETENTION_DAYS; older days in recommendation_daily_stats)',
      recommendation_id: 'Groups the rows of one Recommend answer: the recommendation_id it answered with',
      score: 'Ranking score as answered (model output, or heuristic score 0..1)',
    });
  });

  it('catalog_items: keyed by (website_id, item_id) (006)', async () => {
    const shape = await describeTable(client, 'catalog_items');
    expect(shape.columns).toEqual([
      'website_id uuid NOT NULL',
      'item_id character varying(255) NOT NULL',
      'item_type character varying(50)',
      'title text',
      'category character varying(255)',
      'brand character varying(255)',
      'price numeric(19,4)',
      'tags jsonb',
      'attributes jsonb',
      'in_stock boolean NOT NULL DEFAULT true',
      `published_at ${TZ}`,
      `created_at ${TZ} NOT NULL DEFAULT now()`,
      `updated_at ${TZ} NOT NULL DEFAULT now()`,
    ]);
    expect(shape.indexes).toEqual([
      'catalog_items_pkey: CREATE UNIQUE INDEX catalog_items_pkey (website_id, item_id)',
      'idx_catalog_items_category: CREATE INDEX idx_catalog_items_category (website_id, category)',
    ]);
    expect(shape.constraints).toEqual([
      'catalog_items_pkey: PRIMARY KEY (website_id, item_id)',
      'catalog_items_price_check: CHECK ((price >= (0)::numeric))',
      'fk_catalog_items_website: FOREIGN KEY (website_id) REFERENCES website(website_id) ON DELETE CASCADE',
    ]);
    expect(shape.comments).toEqual({
      '': 'Item catalog per website, owned by ranking-service',
      tags: 'JSONB array of tag strings',
      attributes: 'JSONB object of free-form item attributes',
    });
  });

  it('profile bookkeeping: no per-row foreign key, a delete trigger on website instead (017, 019), fillfactor 70 where updated (018, 019)', async () => {
    const tables = ['profile_event_ids', 'profile_sessions', 'profile_affinities', 'profile_prices', 'profile_orders', 'profile_pending'];
    for (const table of tables) {
      const shape = await describeTable(client, table);
      expect(shape.constraints.filter((c) => c.includes('FOREIGN KEY'))).toEqual([]);
    }
    const { rows: options } = await client.query<{ relname: string; reloptions: string[] | null }>(
      'SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1) ORDER BY relname',
      [[...tables, 'user_profiles']],
    );
    expect(Object.fromEntries(options.map((r) => [r.relname, r.reloptions]))).toEqual({
      profile_affinities: ['fillfactor=70'],
      profile_event_ids: null,
      profile_orders: null,
      profile_pending: null,
      profile_prices: ['fillfactor=70'],
      profile_sessions: ['fillfactor=70'],
      user_profiles: ['fillfactor=70'],
    });
    const { rows: triggers } = await client.query(
      `SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgrelid = 'website'::regclass AND NOT tgisinternal`,
    );
    expect(triggers).toEqual([
      {
        tgname: 'website_delete_profile_bookkeeping',
        def: 'CREATE TRIGGER website_delete_profile_bookkeeping AFTER DELETE ON public.website FOR EACH ROW EXECUTE FUNCTION recsys_delete_profile_bookkeeping()',
      },
      {
        tgname: 'website_delete_recommendations',
        def: 'CREATE TRIGGER website_delete_recommendations AFTER DELETE ON public.website FOR EACH ROW EXECUTE FUNCTION recsys_delete_recommendations()',
      },
    ]);
  });
});

describe('behaviour', () => {
  const insertProfile = (websiteId: string, userId: string, lifecycleStage: string | null = null) =>
    sqlState(client, 'INSERT INTO user_profiles (website_id, user_id, lifecycle_stage) VALUES ($1, $2, $3)', [
      websiteId,
      userId,
      lifecycleStage,
    ]);
  const insertModel = (name: string, version: string, active: boolean, websiteId: string | null, sha: string | null = null) =>
    sqlState(
      client,
      'INSERT INTO ml_models (name, version, is_active, website_id, artifact_sha256) VALUES ($1, $2, $3, $4, $5)',
      [name, version, active, websiteId, sha],
    );

  it('allows one user_id in two websites, but not twice in one', async () => {
    const [a, b] = [await website('a'), await website('b')];
    expect(await insertProfile(a, 'u-42')).toBe('ok');
    expect(await insertProfile(b, 'u-42')).toBe('ok');
    expect(await insertProfile(a, 'u-42')).toBe('23505');
  });

  it('rejects unknown enumerated values and keeps NULL allowed', async () => {
    const w = await website();
    expect(await insertProfile(w, 'p1', 'at_risk')).toBe('ok');
    expect(await insertProfile(w, 'p2', 'at-risk')).toBe('23514');
    const update = (set: string) => sqlState(client, `UPDATE user_profiles SET ${set} WHERE user_id = 'p1'`);
    expect(await update(`device_preference = 'phone'`)).toBe('23514');
    expect(await update(`price_sensitivity = 'extreme'`)).toBe('23514');
    expect(await update(`funnel_position = 'checkout'`)).toBe('23514');
    expect(await update(`funnel_position = 'decision', price_sensitivity = 'low', device_preference = 'tablet'`)).toBe('ok');
    expect(await update(`lifecycle_stage = NULL, funnel_position = NULL`)).toBe('ok');
    const model = (status: string | null) =>
      sqlState(client, `INSERT INTO ml_models (name, version, status) VALUES ('m', $1, $2)`, [String(status), status]);
    expect(await model('deployed')).toBe('23514');
    expect(await model('validating')).toBe('ok');
    expect(await model(null)).toBe('ok');
  });

  it('allows one active model per name and website scope (NULL scope = all websites)', async () => {
    const [a, b] = [await website('a'), await website('b')];
    expect(await insertModel('ranker', 'g1', true, null)).toBe('ok');
    expect(await insertModel('ranker', 'g2', true, null)).toBe('23505');
    expect(await insertModel('ranker', 'a1', true, a)).toBe('ok');
    expect(await insertModel('ranker', 'a2', true, a)).toBe('23505');
    expect(await insertModel('ranker', 'b1', true, b)).toBe('ok');
    expect(await insertModel('ranker', 'g3', false, null)).toBe('ok');
    expect(await insertModel('other', 'g1', true, null)).toBe('ok');
    expect(await insertModel('ranker', 'g1', false, a)).toBe('23505'); // (name, version) stays unique (seed)
  });

  it('accepts only lowercase hex sha256 artifacts', async () => {
    expect(await insertModel('sha', 'ok', false, null, 'ab'.repeat(32))).toBe('ok');
    expect(await insertModel('sha', 'upper', false, null, 'AB'.repeat(32))).toBe('23514');
    expect(await insertModel('sha', 'short', false, null, 'ab'.repeat(31))).toBe('23514');
  });

  it('keys catalog items per website, rejects negative prices, cascades website deletion', async () => {
    const [a, b] = [await website('a'), await website('b')];
    const item = (w: string, id: string, price: string | null = '9.99') =>
      sqlState(client, 'INSERT INTO catalog_items (website_id, item_id, price) VALUES ($1, $2, $3)', [w, id, price]);
    expect(await item(a, 'sku-1')).toBe('ok');
    expect(await item(b, 'sku-1')).toBe('ok');
    expect(await item(a, 'sku-1')).toBe('23505');
    expect(await item(a, 'sku-2', '-1')).toBe('23514');
    expect(await item(a, 'sku-3', null)).toBe('ok');
    expect(await item(randomUUID(), 'sku-1')).toBe('23503');
    const { rows } = await client.query('SELECT in_stock FROM catalog_items WHERE website_id = $1 AND item_id = $2', [a, 'sku-1']);
    expect(rows).toEqual([{ in_stock: true }]);

    await insertModel('scoped', 'v1', true, a);
    await client.query('DELETE FROM website WHERE website_id = $1', [a]);
    const left = await client.query(
      `SELECT (SELECT count(*) FROM catalog_items WHERE website_id = $1)::int AS items,
              (SELECT count(*) FROM ml_models WHERE website_id = $1)::int AS models`,
      [a],
    );
    expect(left.rows[0]).toEqual({ items: 0, models: 0 });
  });
});
