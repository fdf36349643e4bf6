/**
 * The built `fullstop` binary against the real server process (SQLite store seeded through a second
 * connection), no mocks: count, show, rules, and `rules add --dry-run` checked against what the server itself
 * does to new violations once the rules exist.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViolationDraft } from '../../src/server/model.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { Violation, WhitelistingRule } from '../../src/shared/violation.js';
import { BINARY, startServerProcess, type ServerProcess } from './server-process.js';

const run = promisify(execFile);
const A = '111111111111';
const B = '222222222222';
const ADMIN = 'e2e-admin-token-with-team';
const OUTSIDER = 'e2e-outsider-token-no-team';
const TYPES = ['WRONG_AMI', 'WRONG_REGION', 'PASSWORD_USED', 'EC2_WITH_KEYPAIR'];

let dir: string;
let server: ServerProcess;
let store: ViolationStore;

async function cli(args: string[], token = ADMIN): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    FULLSTOP_CONFIG_DIR: join(dir, 'cli'),
    FULLSTOP_URL: server.url,
    FULLSTOP_TOKEN: token,
    NO_COLOR: '1',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [BINARY, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function json<T>(args: string[]): Promise<T> {
  const result = await cli([...args, '-o', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

const META = [
  (i: number) => ({ ami_name: `taupage-${i}`, ami_owner_id: '111', ami_id: `ami-${i}` }),
  () => ({ ami_name: 'other-ami', ami_owner_id: '222' }),
  (i: number) => ({ user_name: `ses.ci-master-${i}` }),
  (i: number) => ({ user_name: 'alice', nested: { level: i } }),
  () => [{ mfa_active: false }, 'AKIAIOSFODNN7EXAMPLE'],
  (i: number) => (i % 2 === 0 ? null : 'key pair dev-key'),
];

/** 90 violations that vary every field a rule looks at, each with a different period. */
function seeds(): ViolationDraft[] {
  return Array.from({ length: 90 }, (_, i) => ({
    eventId: `s${i}`,
    accountId: i % 2 === 0 ? A : B,
    region: ['eu-west-1', 'eu-central-1', 'us-east-1'][i % 3]!,
    type: TYPES[i % 4]!,
    instanceId: `i-${i}`,
    metaInfo: META[i % 6]!(i),
    applicationId: [null, 'kio', 'kio', 'shop', null][i % 5],
    applicationVersion: ['1.0', '1.1', '2.0', null, '1.1', '1.0', '2.0'][i % 7],
  }));
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
const all = { page: 0, size: 1000, sort: [{ property: 'id' as const, direction: 'ASC' as const }] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-e2e-api-'));
  const db = `sqlite:${join(dir, 'fullstop.db')}`;
  writeFileSync(
    join(dir, 'server.yaml'),
    [
      'auth:',
      '  tokens:',
      `    - { token: ${ADMIN}, uid: admin, accounts: "*", teams: [stups] }`,
      `    - { token: ${OUTSIDER}, uid: outsider, accounts: ["${A}"], teams: [shop] }`,
      '',
    ].join('\n'),
  );
  store = await openStore(db);
  await store.insertViolations(seeds());
  const open = await store.listViolations({}, all);
  // Every tenth resolved, so that counts and dry runs have something to leave out.
  for (const v of open.content.filter((_, i) => i % 10 === 9)) await store.resolveViolation(v.id, 'done', 'e2e', '*');
  server = await startServerProcess(['--db', db, '--config', join(dir, 'server.yaml')]);
});

afterAll(async () => {
  const code = await server?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  expect(code).toBe(0);
});

describe('count against fullstop server', () => {
  it('counts open violations per account and type, and adds them up --by type and --by application', async () => {
    const open = (await store.listViolations({}, all)).content;
    const expected = new Map<string, number>();
    for (const v of open) {
      const key = `${v.account_id} ${v.violation_type.id}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const rows = await json<Array<{ account: string; type: string; quantity: number }>>(['count']);
    expect(new Map(rows.map((r) => [`${r.account} ${r.type}`, r.quantity]))).toEqual(expected);
    expect(rows.map((r) => `${r.account} ${r.type}`)).toEqual([...expected.keys()].sort());

    const types = await json<Array<{ type: string; quantity: number }>>(['count', '--by', 'type']);
    expect(types.reduce((sum, r) => sum + r.quantity, 0)).toBe(open.length);
    expect(types.map((r) => r.quantity)).toEqual([...types.map((r) => r.quantity)].sort((a, b) => b - a));

    const apps = await json<Array<{ account: string; application: string | null; quantity: number }>>([
      'count',
      '--by',
      'application',
      '--accounts',
      A,
    ]);
    const kio = open.filter((v) => v.account_id === A && v.application_id === 'kio').length;
    expect(apps.filter((r) => r.application === 'kio').reduce((sum, r) => sum + r.quantity, 0)).toBe(kio);
    expect(apps.every((r) => r.account === A)).toBe(true);

    const resolved = await json<Array<{ quantity: number }>>(['count', '--by', 'account', '--resolved']);
    expect(resolved.reduce((sum, r) => sum + r.quantity, 0)).toBe(9);
  });

  it('prints a table with a total on stderr only on a terminal', async () => {
    const text = await cli(['count', '--by', 'account']);
    expect(text.stdout.split('\n')[0]).toBe('Account       Count');
    expect(text.stderr).toBe('');
  });
});

describe('show against fullstop server', () => {
  it('shows every field, and the violation object as list-violations prints it', async () => {
    const [listed] = await json<Violation[]>(['list-violations', '-l', '1']);
    const shown = await json<Violation>(['show', String(listed!.id)]);
    expect(shown).toEqual(listed);
    const text = await cli(['show', String(listed!.id)]);
    expect(text.stdout).toContain(`Id:           ${listed!.id}\n`);
    expect(text.stdout).toContain(`Event id:     ${listed!.event_id}\n`);
    expect(await cli(['show', '999999'])).toMatchObject({ code: 1, stderr: expect.stringContaining('not found') });
  });
});

describe('rules add --dry-run agrees with the server', () => {
  const RULES: string[][] = [
    ['--image-name', 'taupage-[0-9]'],
    ['--type', 'WRONG_AMI', '--image-name', 'taupage-1.*'],
    ['--account', A, '--meta-path', '$[?(@.user_name =~ /ses\\.ci-master-.+/)]'],
    ['--image-owner', '222', '--region', 'eu-central-1', '--account', B],
    ['--application', 'kio', '--application-version', '1.1'],
    ['--meta-path', '$[?(@.nested.level > 40)]'],
    ['--type', 'PASSWORD_USED', '--meta-path', '$[?(@.mfa_active == false)]'],
  ];

  it('new copies of the open violations are whitelisted exactly by the rules whose dry run matched them', async () => {
    const matchedBy = new Map<number, number[]>();
    const ruleIds: number[] = [];
    for (const flags of RULES) {
      const dry = await cli(['rules', 'add', ...flags, '--reason', 'dry', '--dry-run', '-o', 'json']);
      expect(dry.code, dry.stderr).toBe(0);
      const matched = (JSON.parse(dry.stdout) as Violation[]).map((v) => v.id);
      expect(matched.length, flags.join(' ')).toBeGreaterThan(0);
      const added = await cli(['rules', 'add', ...flags, '--reason', 'agreement']);
      expect(added.code, added.stderr).toBe(0);
      const ruleId = Number(added.stdout.trim());
      ruleIds.push(ruleId);
      for (const id of matched) matchedBy.set(id, [...(matchedBy.get(id) ?? []), ruleId]);
    }

    const open = (await store.listViolations({}, all)).content.sort(byId);
    await store.insertViolations(
      open.map((v) => ({
        eventId: `copy-${v.id}`,
        accountId: v.account_id!,
        region: v.region!,
        type: v.violation_type.id,
        instanceId: v.instance_id,
        metaInfo: v.meta_info,
        applicationId: v.application_id,
        applicationVersion: v.application_version_id,
      })),
    );
    const copies = [
      ...(await store.listViolations({ whitelisted: true }, all)).content,
      ...(await store.listViolations({}, all)).content,
    ].filter((v) => v.event_id?.startsWith('copy-'));
    expect(copies).toHaveLength(open.length);
    let whitelisted = 0;
    for (const copy of copies) {
      const original = Number(copy.event_id!.slice('copy-'.length));
      const expected = matchedBy.get(original) ?? [];
      if (expected.length === 0) expect(copy.rule_id, `copy of ${original}`).toBeNull();
      else {
        expect(expected, `copy of ${original}`).toContain(copy.rule_id);
        whitelisted++;
      }
    }
    expect(whitelisted).toBe(matchedBy.size);
    expect(new Set(copies.map((c) => c.rule_id).filter((id) => id !== null))).toEqual(new Set(ruleIds));
  });
});

describe('rules against fullstop server', () => {
  let rule: WhitelistingRule;

  it('adds a rule with every field and lists and shows it', async () => {
    const added = await cli([
      'rules',
      'add',
      '--account',
      A,
      '--region',
      'eu-west-1',
      '--type',
      'WRONG_AMI',
      '--application',
      'kio',
      '--application-version',
      '1.0',
      '--image-name',
      'taupage-\\d+',
      '--image-owner',
      '111',
      '--meta-path',
      '$[?(@.ami_id =~ /ami-\\d+/)]',
      '--reason',
      'e2e rule',
      '--expires',
      '30d',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const id = Number(added.stdout.trim());
    expect(added.stderr).toBe(`Created whitelisting rule ${id}\n`);
    rule = await json<WhitelistingRule>(['rules', 'show', String(id)]);
    expect(rule).toMatchObject({
      account_id: A,
      region: 'eu-west-1',
      violation_type_entity_id: 'WRONG_AMI',
      application_id: 'kio',
      application_version: '1.0',
      image_name: 'taupage-\\d+',
      image_owner: '111',
      meta_info_json_path: '$[?(@.ami_id =~ /ami-\\d+/)]',
      reason: 'e2e rule',
      created_by: 'admin',
    });
    expect(Date.parse(rule.expiry_date) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await json<WhitelistingRule[]>(['rules', 'list'])).map((r) => r.id)).toContain(id);
  });

  it('update prints the new id; the old rule has expired, the new one keeps the old fields', async () => {
    const updated = await cli(['rules', 'update', String(rule.id), '--reason', 'e2e rule, updated', '--region', '']);
    expect(updated.code, updated.stderr).toBe(0);
    const id = Number(updated.stdout.trim());
    expect(id).toBeGreaterThan(rule.id);
    expect(updated.stderr).toBe(`Rule ${rule.id} expired; replaced by rule ${id}\n`);
    const old = await json<WhitelistingRule>(['rules', 'show', String(rule.id)]);
    expect(Date.parse(old.expiry_date)).toBeLessThanOrEqual(Date.now());
    const replacement = await json<WhitelistingRule>(['rules', 'show', String(id)]);
    expect(replacement).toMatchObject({
      reason: 'e2e rule, updated',
      image_owner: '111',
      expiry_date: rule.expiry_date,
    });
    expect(replacement.region ?? '').toBe('');
    expect((await json<WhitelistingRule[]>(['rules', 'list'])).map((r) => r.id)).not.toContain(rule.id);
    rule = replacement;
  });

  it('expire moves the expiry to --at; an expired rule cannot be expired again', async () => {
    const expired = await cli(['rules', 'expire', String(rule.id), '--at', '2h', '-o', 'json']);
    expect(expired.code, expired.stderr).toBe(0);
    const after = JSON.parse(expired.stdout) as WhitelistingRule;
    expect(Math.abs(Date.parse(after.expiry_date) - (Date.now() + 7_200_000))).toBeLessThan(60_000);
    const old = await cli(['rules', 'expire', String(rule.id - 1)]);
    expect(old).toMatchObject({ code: 1, stderr: expect.stringContaining('expired already') });
    expect(await cli(['rules', 'expire', '99999'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('not found'),
    });
  });

  it('refuses a caller outside the allowed teams (exit 4) and bad input (exit 2)', async () => {
    const outsider = await cli(['rules', 'list'], OUTSIDER);
    expect(outsider.code).toBe(4);
    expect(outsider.stderr).toContain('403');
    expect((await cli(['rules', 'add', '--type', 'NO_SUCH_TYPE', '--reason', 'x'])).code).toBe(2);
    expect((await cli(['rules', 'add', '--meta-path', '$[?(', '--reason', 'x'])).code).toBe(2);
    expect((await cli(['rules', 'add', '--image-name', '(', '--reason', 'x'])).code).toBe(2);
  });
});
