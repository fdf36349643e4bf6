/** Builds the real app over an in-memory SQLite store, with static tokens for the auth matrix. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server/http/app.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import type { ServerConfig } from '../../src/server/config.js';
import type { ViolationDraft } from '../../src/server/model.js';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';

/** admin: all accounts, allowed team, write scope. alice: account A only. reader: nothing but reading. */
export const TOKENS = {
  admin: 'admin-token',
  alice: 'alice-token',
  reader: 'reader-token',
} as const;

export const DEFAULT_CONFIG: ServerConfig = {
  auth: {
    tokens: [
      {
        token: TOKENS.admin,
        uid: 'admin',
        scopes: ['uid', 'fullstop.violation.write'],
        accounts: '*',
        teams: ['stups'],
      },
      { token: TOKENS.alice, uid: 'alice', accounts: [ACCOUNT_A], teams: ['other'] },
      { token: TOKENS.reader, uid: 'reader' },
    ],
  },
  whitelist: { allowed_teams: ['stups'] },
};

export interface TestApp {
  app: FastifyInstance;
  store: ViolationStore;
  close(): Promise<void>;
}

export async function testApp(
  config: ServerConfig = DEFAULT_CONFIG,
  extra: Partial<AppOptions> = {},
): Promise<TestApp> {
  const store = await openStore('sqlite::memory:');
  const auth =
    extra.auth ?? createAuthenticator({ tokens: config.auth?.tokens, tokeninfoUrl: config.auth?.tokeninfo_url });
  const app = buildApp({ store, auth, config, logger: false, ...extra });
  await app.ready();
  return {
    app,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function draft(over: Partial<ViolationDraft> = {}): ViolationDraft {
  return {
    eventId: 'e1',
    accountId: ACCOUNT_A,
    region: 'eu-west-1',
    type: 'WRONG_REGION',
    instanceId: 'i-1',
    metaInfo: { k: 'v' },
    ...over,
  };
}
