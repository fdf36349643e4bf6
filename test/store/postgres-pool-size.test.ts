/**
 * The PostgreSQL pool size: replicas × pool size must stay below the server's max_connections, so it is set by
 * the URL's `pool_size` parameter (any command) or the config's `db_pool_size` (server and ingest), the URL winning.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openStore, StoreOpenError } from '../../src/server/store/open-store.js';
import type { PostgresStore } from '../../src/server/store/postgres.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { takePoolSize } from '../../src/server/store/db-url.js';
import { validateConfig } from '../../src/server/config.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from './pg.js';

describe('takePoolSize', () => {
  it('takes pool_size out of the query, wherever it stands, and leaves the rest as it was', () => {
    expect(takePoolSize('postgres://u@h/db')).toEqual({ url: 'postgres://u@h/db' });
    expect(takePoolSize('postgres://u@h/db?pool_size=4')).toEqual({ url: 'postgres://u@h/db', poolSize: 4 });
    expect(takePoolSize('postgres://u@h/db?pool_size=4&sslmode=require')).toEqual({
      url: 'postgres://u@h/db?sslmode=require',
      poolSize: 4,
    });
    expect(takePoolSize('postgres://u:p@h/db?options=-c%20search_path%3Dx&pool_size=20&a=b')).toEqual({
      url: 'postgres://u:p@h/db?options=-c%20search_path%3Dx&a=b',
      poolSize: 20,
    });
  });

  it.each(['0', '1001', '-1', '2.5', 'ten', ''])('refuses pool_size=%s with the reason', (value) => {
    expect(() => takePoolSize(`postgres://u@h/db?pool_size=${value}`)).toThrow(
      `pool_size must be a whole number from 1 to 1000, got '${value}'`,
    );
  });

  it('is a config key too, checked like every other', () => {
    expect(validateConfig({ db_pool_size: 4 }, 'x.yaml')).toEqual({ db_pool_size: 4 });
    expect(() => validateConfig({ db_pool_size: 0 }, 'x.yaml')).toThrow(/db_pool_size/);
    expect(() => validateConfig({ ingest: { lease_seconds: 1 } }, 'x.yaml')).toThrow(/ingest\.lease_seconds/);
  });
});

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('PostgreSQL pool size'), () => {
  let schema: TestSchema;
  const stores: ViolationStore[] = [];
  const max = (store: ViolationStore) => (store as PostgresStore).pool.options.max;
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await schema?.drop();
  });

  it('opens pools of the size asked for, the URL parameter winning over the option', async () => {
    schema = testSchema();
    const withParameter = `${schema.url}&pool_size=3`;
    stores.push(await openStore(schema.url), await openStore(schema.url, { poolSize: 5 }));
    stores.push(await openStore(withParameter, { poolSize: 5 }));
    expect(stores.map(max)).toEqual([10, 5, 3]);
    // The parameter is gone from what the driver sees: the store works in its schema.
    expect((await stores[2]!.listViolationTypes()).length).toBeGreaterThan(30);
    await expect(openStore(`${schema.url}&pool_size=0`)).rejects.toThrow(StoreOpenError);
    await expect(openStore(`${schema.url}&pool_size=0`)).rejects.toThrow(/pool_size must be a whole number/);
  });
});
