/** The shared store contract, run against PostgreSQL: every test gets a store in a new schema of its own. */
import { afterAll } from 'vitest';
import { describeStoreContract } from '../../src/server/store/store.contract.js';
import { openStore } from '../../src/server/store/open-store.js';
import { PG_SKIP_REASON, testSchema, type TestSchema } from './pg.js';

const schemas: TestSchema[] = [];
afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
});

describeStoreContract(
  'postgres',
  async () => {
    const schema = testSchema();
    schemas.push(schema);
    return openStore(schema.url);
  },
  { skip: PG_SKIP_REASON },
);
