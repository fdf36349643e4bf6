import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Breakers } from '../../src/server/enrich/breakers.js';
import { LookupFailedError } from '../../src/server/enrich/errors.js';
import { policyTemplates } from '../../src/server/enrich/policy-templates.js';
import { createProviders } from '../../src/server/enrich/providers.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../helpers/s3-server.js';
import { manualClock } from './aws-env.js';

const TEMPLATE = '{"Version":"2012-10-17","Statement":[]}';
let folder: string;
let s3: TestS3Server;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'fullstop-templates-'));
  await writeFile(join(folder, 'app-role.json'), TEMPLATE);
  await writeFile(join(folder, 'README.md'), 'not a template');
  s3 = await startS3Server();
  await s3.createBucket('policies');
  await s3.put('policies', 'templates/app-role.json', TEMPLATE);
  await s3.put('policies', 'templates/worker-role.json', '{}');
  await s3.put('policies', 'templates/notes.txt', 'x');
  await s3.put('policies', 'other/elsewhere.json', '{}');
});
afterAll(async () => {
  await s3.close();
  await rm(folder, { recursive: true, force: true });
});

const context = (clock?: { now(): number }) => ({
  timeoutMs: 3_000,
  limit: pLimit(4),
  breakers: new Breakers(),
  clock,
});

describe('policy templates', () => {
  it('lists the .json templates of a folder and reads them', async () => {
    for (const location of [folder, `file://${folder}`]) {
      const templates = policyTemplates(context(), location);
      expect([...(await templates.names())]).toEqual(['app-role']);
      expect(await templates.template('app-role')).toBe(TEMPLATE);
      expect(await templates.template('gone')).toBeNull();
    }
  });

  it('fails, not retryable, for a folder that does not exist', async () => {
    const error = await policyTemplates(context(), join(folder, 'missing'))
      .names()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LookupFailedError);
    expect(error).toMatchObject({ system: 'templates', retryable: false });
  });

  it('lists and reads the templates under an S3 prefix with the default credentials and AWS_ENDPOINT_URL_S3', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_S3', s3.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
    const rules = resolveRulesConfig({ modified_role_or_service: { templates: 's3://policies/templates' } });
    const providers = createProviders(undefined, rules, { env: { AWS_REGION: 'us-east-1' } });
    try {
      expect([...(await providers.templates!.names())].sort()).toEqual(['app-role', 'worker-role']);
      expect(await providers.templates!.template('app-role')).toBe(TEMPLATE);
      expect(await providers.templates!.template('nothing')).toBeNull();
    } finally {
      await providers.close();
    }
  });

  it('keeps the names an hour and a template a minute', async () => {
    const clock = manualClock();
    const local = await mkdtemp(join(tmpdir(), 'fullstop-templates-'));
    try {
      const templates = policyTemplates(context(clock), local);
      expect((await templates.names()).size).toBe(0); // an empty listing is not kept
      await writeFile(join(local, 'a.json'), '{"v":1}');
      expect([...(await templates.names())]).toEqual(['a']);
      expect(await templates.template('a')).toBe('{"v":1}');
      await writeFile(join(local, 'b.json'), '{}');
      await writeFile(join(local, 'a.json'), '{"v":2}');
      clock.advance(59_000);
      expect(await templates.template('a')).toBe('{"v":1}');
      clock.advance(2_000);
      expect(await templates.template('a')).toBe('{"v":2}');
      expect([...(await templates.names())]).toEqual(['a']);
      clock.advance(60 * 60_000);
      expect([...(await templates.names())].sort()).toEqual(['a', 'b']);
    } finally {
      await rm(local, { recursive: true, force: true });
    }
  });
});
