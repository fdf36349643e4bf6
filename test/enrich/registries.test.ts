import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LookupFailedError } from '../../src/server/enrich/errors.js';
import { createProviders, type Providers } from '../../src/server/enrich/providers.js';
import type { EnrichmentConfig } from '../../src/server/enrich/config-schema.js';
import type { BreakerOptions } from '../../src/server/enrich/breakers.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import { startKioStandIn, type KioStandIn } from '../helpers/kio-stand-in.js';
import { startPieroneStandIn, type PieroneStandIn } from '../helpers/pierone-stand-in.js';
import { manualClock } from './aws-env.js';

let kio: KioStandIn;
let pierone: PieroneStandIn;
let mirror: PieroneStandIn;
let folder: string;
let open: Providers[] = [];

beforeAll(async () => {
  [kio, pierone, mirror] = await Promise.all([
    startKioStandIn({ token: 'good-token' }),
    startPieroneStandIn({ token: 'good-token' }),
    startPieroneStandIn({ token: 'good-token' }),
  ]);
  folder = await mkdtemp(join(tmpdir(), 'fullstop-token-'));
  kio.apps.set('shop', { team_id: 'team', scm_url: 'https://github.com/zalando/shop.git' });
  pierone.addTag('team', 'shop', '1.0', {
    url: 'git:git@github.com:zalando/shop.git',
    revision: 'abc',
    status: '',
    author: 'x',
  });
  pierone.addTag('team', 'shop', '1.1');
  mirror.addTag('other', 'tool', '2.0', { url: 'https://github.com/zalando/tool', revision: 1234, status: false });
});
afterAll(async () => {
  await Promise.all([kio.close(), pierone.close(), mirror.close(), rm(folder, { recursive: true, force: true })]);
});
afterEach(async () => {
  await Promise.all(open.map((providers) => providers.close()));
  open = [];
  for (const standIn of [kio, pierone, mirror]) {
    standIn.clearFaults();
    standIn.clearCalls();
  }
});

function providers(
  settings: Partial<EnrichmentConfig> = {},
  options: { clock?: { now(): number }; breakers?: BreakerOptions } = {},
) {
  const enrichment: EnrichmentConfig = {
    application_registry: { url: `${kio.url}/` },
    artifact_registries: [
      { host: 'pierone.example.org', url: pierone.url },
      { host: 'mirror.example.org:8443', url: mirror.url },
    ],
    token: 'good-token',
    ...settings,
  };
  const created = createProviders(enrichment, resolveRulesConfig({}, enrichment), options);
  open.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<LookupFailedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LookupFailedError);
  return error as LookupFailedError;
}

describe('application registry (Kio)', () => {
  it('answers the application, or null for 404, with the bearer token', async () => {
    const { kio: lookups } = providers();
    expect(await lookups!.application('shop')).toMatchObject({
      id: 'shop',
      scm_url: 'https://github.com/zalando/shop.git',
    });
    expect(await lookups!.application('unknown app')).toBeNull();
    expect(kio.calls('GET /apps').map((c) => c.detail)).toEqual([
      { id: 'shop', authorization: 'Bearer good-token' },
      { id: 'unknown app', authorization: 'Bearer good-token' },
    ]);
  });

  it('keeps answers, absent ones too, 60 minutes after their last use, and shares concurrent calls', async () => {
    const clock = manualClock();
    const { kio: lookups } = providers({}, { clock });
    await Promise.all(Array.from({ length: 10 }, () => lookups!.application('missing')));
    expect(kio.calls('GET /apps')).toHaveLength(1);
    clock.advance(59 * 60_000);
    expect(await lookups!.application('missing')).toBeNull();
    expect(kio.calls('GET /apps')).toHaveLength(1);
    clock.advance(60 * 60_000 + 1);
    await lookups!.application('missing');
    expect(kio.calls('GET /apps')).toHaveLength(2);
  });

  it('fails retryable on 5xx, 401 and timeouts, not on other 4xx; failures are asked again', async () => {
    const { kio: lookups } = providers({ timeout_seconds: 0.2 }, { breakers: { volumeThreshold: 100 } });
    kio.fault('GET /apps', { status: 503, times: 1 });
    expect(await failure(lookups!.application('shop'))).toMatchObject({ system: 'kio', key: 'shop', retryable: true });
    kio.fault('GET /apps', { status: 400, times: 1 });
    expect((await failure(lookups!.application('shop'))).retryable).toBe(false);
    kio.fault('GET /apps', { delayMs: 2_000, times: 1 });
    expect(await failure(lookups!.application('shop'))).toMatchObject({
      retryable: true,
      message: expect.stringContaining('200 ms'),
    });
    expect(await lookups!.application('shop')).toMatchObject({ id: 'shop' });
    const refused = providers({ token: 'expired-token' }).kio!;
    expect((await failure(refused.application('shop'))).retryable).toBe(true);
  });

  it('runs token_command for the bearer, again after a 401, and never puts the token in a message', async () => {
    const tokenFile = join(folder, 'token');
    await writeFile(tokenFile, 'stale-secret\n');
    const { kio: lookups } = providers({ token: undefined, token_command: `cat '${tokenFile}'` });
    const refused = await failure(lookups!.application('shop'));
    expect(refused.message).not.toContain('stale-secret');
    await writeFile(tokenFile, 'good-token\n');
    expect(await lookups!.application('shop')).toMatchObject({ id: 'shop' });
    expect(kio.calls('GET /apps').map((c) => c.detail['authorization'])).toEqual([
      'Bearer stale-secret',
      'Bearer good-token',
    ]);
    const broken = providers({ token: undefined, token_command: 'exit 3' }).kio!;
    expect(await failure(broken.application('shop'))).toMatchObject({ system: 'token', retryable: true });
  });

  it('runs at most `concurrency` calls at once', async () => {
    const { kio: lookups } = providers({ concurrency: 2 });
    kio.fault('GET /apps', { delayMs: 400 });
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => lookups!.application(id)));
    const arrivals = kio.calls('GET /apps').map((call) => call.at);
    expect(arrivals).toHaveLength(6);
    // Two at a time: each pair waits for the one before.
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThanOrEqual(350);
    expect(arrivals[4]! - arrivals[2]!).toBeGreaterThanOrEqual(350);
    expect(arrivals[1]! - arrivals[0]!).toBeLessThan(300);
  });

  it('opens its circuit after repeated failures and closes it after a good trial', async () => {
    const { kio: lookups, breakers } = providers({}, { breakers: { volumeThreshold: 2, resetTimeoutMs: 300 } });
    kio.fault('GET /apps', { status: 500, times: 2 });
    await failure(lookups!.application('a'));
    await failure(lookups!.application('b'));
    expect(breakers.state('kio')).toBe('open');
    expect((await failure(lookups!.application('shop'))).message).toContain('circuit open');
    expect(kio.calls('GET /apps')).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await lookups!.application('shop')).toMatchObject({ id: 'shop' });
    expect(breakers.state('kio')).toBe('closed');
  });
});

describe('artifact registries (Pier One)', () => {
  it('finds the tag and scm-source in the registry named by the source', async () => {
    const { pierone: lookups } = providers();
    expect(await lookups!.tag('pierone.example.org/team/shop:1.0')).toMatchObject({
      name: '1.0',
      created_by: 'stand-in',
    });
    expect(await lookups!.scmSource('pierone.example.org/team/shop:1.0')).toEqual({
      url: 'git:git@github.com:zalando/shop.git',
      revision: 'abc',
      status: '',
      author: 'x',
    });
    expect(await lookups!.scmSource('MIRROR.example.org:8443/other/tool:2.0')).toEqual({
      url: 'https://github.com/zalando/tool',
      revision: '1234',
      status: 'false',
    });
    expect(pierone.calls().map((c) => c.operation)).toEqual(['tags', 'scm-source']);
    expect(mirror.calls().map((c) => [c.operation, c.detail['team'], c.detail['artifact'], c.detail['tag']])).toEqual([
      ['scm-source', 'other', 'tool', '2.0'],
    ]);
  });

  it('answers null for a missing tag, artifact or scm-source, and without a call for an unknown registry or source', async () => {
    const { pierone: lookups } = providers();
    expect(await lookups!.tag('pierone.example.org/team/shop:9.9')).toBeNull();
    expect(await lookups!.tag('pierone.example.org/team/nothing:1.0')).toBeNull();
    expect(await lookups!.scmSource('pierone.example.org/team/shop:1.1')).toBeNull();
    expect(pierone.calls()).toHaveLength(3);
    for (const source of [
      'registry.other.org/team/shop:1.0',
      'team/shop:1.0',
      'shop',
      'pierone.example.org/shop:1.0',
    ]) {
      expect(await lookups!.tag(source)).toBeNull();
      expect(await lookups!.scmSource(source)).toBeNull();
    }
    expect(pierone.calls()).toHaveLength(3);
  });

  it('keeps answers 5 minutes after their last use', async () => {
    const clock = manualClock();
    const { pierone: lookups } = providers({}, { clock });
    await lookups!.tag('pierone.example.org/team/shop:1.0');
    clock.advance(4 * 60_000);
    await lookups!.tag('pierone.example.org/team/shop:1.0');
    expect(pierone.calls('tags')).toHaveLength(1);
    clock.advance(5 * 60_000 + 1);
    await lookups!.tag('pierone.example.org/team/shop:1.0');
    expect(pierone.calls('tags')).toHaveLength(2);
  });

  it('fails retryable when the registry fails, on the circuit of that registry', async () => {
    const { pierone: lookups } = providers();
    pierone.fault('scm-source', { status: 502, times: 1 });
    expect(await failure(lookups!.scmSource('pierone.example.org/team/shop:1.0'))).toMatchObject({
      system: 'pierone:pierone.example.org',
      key: 'pierone.example.org/team/shop:1.0',
      retryable: true,
    });
  });
});
