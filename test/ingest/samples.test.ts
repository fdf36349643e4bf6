/**
 * The shared samples: 55 real delivery files of one account (invictus-ir, Stratus Red Team detonations in
 * us-east-1) and the original fullstop's plugin fixtures. Expected counts were worked out from the records:
 * - invictus-ir: 2 RunInstances (1 instance each, no key pair) and 2 CreateFunction20150331 in us-east-1 →
 *   4 WRONG_REGION; those 2 creates + 2 UpdateFunctionCode20150331v2, no trusted bucket → 4 LAMBDA_…; 2 IAM-user
 *   ConsoleLogin + 2 CreateLoginProfile → 4 PASSWORD_USED; 1 UpdateAssumeRolePolicy trusting 193672423079 → 1
 *   CROSS_ACCOUNT_ROLE (the CreateRoles trust services or the own account 123837392027); 1 ingress of tcp/22
 *   from 0.0.0.0/0 (the other opens 443) → 1 UNSECURED_PUBLIC_ENDPOINT; 2 DeleteTrail + 1 PutEventSelectors
 *   without management events → 3 CLOUDTRAIL_TAMPERING (StopLogging only ever failed). No root activity.
 * - fixtures: us-west-1 RunInstances with one instance and the us-east-1 CreateFunction2ffff31 → 2 WRONG_REGION;
 *   instance with keyName kmeier → 1 EC2_WITH_KEYPAIR; 4 Lambda creates/updates → 4 drafts, but both updates
 *   share event id, account, region and (null) instance → 3 stored, 1 duplicate.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ViolationStore } from '../../src/server/store/store.js';
import { SAMPLES, countByType, ingestPath, memoryStore } from './helpers.js';

let store: ViolationStore;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(async () => {
  await store.close();
});

describe('the invictus-ir delivery files', () => {
  const path = join(SAMPLES, 'invictus-ir');

  it('yields the expected violations per type', async () => {
    const summary = await ingestPath(store, path);
    expect(summary).toMatchObject({
      files: 55,
      filesIngested: 55,
      filesFailed: 0,
      records: 2900,
      badRecords: 0,
      violationsNew: 17,
      duplicatesSkipped: 0,
    });
    expect(await countByType(store)).toEqual({
      WRONG_REGION: 4,
      LAMBDA_FUNCTION_CREATED_FROM_UNTRUSTED_LOCATION: 4,
      PASSWORD_USED: 4,
      CROSS_ACCOUNT_ROLE: 1,
      UNSECURED_PUBLIC_ENDPOINT: 1,
      CLOUDTRAIL_TAMPERING: 3,
    });
  });

  it('adds nothing when ingested again', async () => {
    await ingestPath(store, path);
    const again = await ingestPath(store, path);
    expect(again).toMatchObject({ files: 55, filesIngested: 0, filesAlreadyIngested: 55, violationsNew: 0 });
    expect(Object.values(await countByType(store)).reduce((a, b) => a + b, 0)).toBe(17);
  });

  it('narrows by account, region and day from the key layout', async () => {
    expect((await ingestPath(store, path, undefined, { accounts: ['111111111111'] })).files).toBe(0);
    expect((await ingestPath(store, path, undefined, { regions: ['eu-west-1'] })).files).toBe(0);
    expect((await ingestPath(store, path, undefined, { since: new Date('2023-07-12T00:00:00Z') })).files).toBe(0);
    expect(
      (await ingestPath(store, path, undefined, { accounts: ['218007301253'], regions: ['us-east-1'] })).files,
    ).toBe(55);
  });

  it('follows the rules configuration', async () => {
    await ingestPath(store, path, {
      wrong_region: { allowed_regions: ['us-east-1'] },
      password_used: { enabled: false },
    });
    const counts = await countByType(store);
    expect(counts['WRONG_REGION']).toBeUndefined();
    expect(counts['PASSWORD_USED']).toBeUndefined();
    expect(counts['CLOUDTRAIL_TAMPERING']).toBe(3);
  });
});

describe("the original fullstop's plugin fixtures", () => {
  const path = join(SAMPLES, 'fullstop-fixtures');

  it('yields the expected violations, skipping the LICENSE beside them', async () => {
    const summary = await ingestPath(store, path);
    expect(summary).toMatchObject({
      files: 23,
      filesIngested: 23,
      filesFailed: 0,
      records: 24,
      badRecords: 0,
      violationsNew: 6,
      duplicatesSkipped: 1,
    });
    expect(await countByType(store)).toEqual({
      WRONG_REGION: 2,
      EC2_WITH_KEYPAIR: 1,
      LAMBDA_FUNCTION_CREATED_FROM_UNTRUSTED_LOCATION: 3,
    });
  });

  it('trusts the buckets it is told to trust', async () => {
    await ingestPath(store, path, {
      lambda_function_created_from_untrusted_location: { trusted_buckets: ['zalando-lambda-repository-eu-central-1'] },
    });
    expect((await countByType(store))['LAMBDA_FUNCTION_CREATED_FROM_UNTRUSTED_LOCATION']).toBe(2);
  });
});
