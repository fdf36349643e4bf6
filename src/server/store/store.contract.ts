/**
 * The behaviour every `ViolationStore` adapter must have. Each adapter's test calls
 * `describeStoreContract(name, open)`; `open` returns a fresh, empty store. `skip` (a reason) skips the suite
 * where the adapter's database is not available, and names the reason in the suite's title.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { ViolationStore } from './store.js';
import type { ViolationDraft, PageRequest } from '../model.js';
import { describeEnrichmentContract } from './enrichment.contract.js';

const draft = (over: Partial<ViolationDraft> = {}): ViolationDraft => ({
  eventId: 'e1',
  accountId: '111111111111',
  region: 'eu-west-1',
  type: 'WRONG_REGION',
  instanceId: 'i-1',
  metaInfo: { ami_name: 'taupage-1', user_name: 'ses.ci-master-x' },
  ...over,
});
const page = (over: Partial<PageRequest> = {}): PageRequest => ({
  page: 0,
  size: 10,
  sort: [{ property: 'id', direction: 'ASC' }],
  ...over,
});
const file = (key: string, fingerprint = 'f1') => ({
  source: 'file:///logs',
  key,
  fingerprint,
  records: 1,
  badRecords: 0,
});

export function describeStoreContract(
  name: string,
  open: () => Promise<ViolationStore>,
  options: { skip?: string | undefined } = {},
): void {
  const title = `ViolationStore contract: ${name}${options.skip === undefined ? '' : ` (skipped: ${options.skip})`}`;
  describe.skipIf(options.skip !== undefined)(title, () => {
    let store: ViolationStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describeEnrichmentContract(() => store);

    it('is seeded with the 31 original types and CLOUDTRAIL_TAMPERING', async () => {
      const types = await store.listViolationTypes();
      expect(types).toHaveLength(32);
      const wrongAmi = types.find((t) => t.id === 'WRONG_AMI');
      expect(wrongAmi).toMatchObject({
        violation_severity: 3,
        priority: 1,
        audit_relevant: false,
        title: 'EC2 instance using illegal AMI',
        created_by: 'migration_script',
        version: 1,
      });
      expect(types.find((t) => t.id === 'UNSECURED_ROOT_USER')).toMatchObject({
        created_by: '#362',
        version: 0,
        last_modified: null,
      });
      const tampering = types.find((t) => t.id === 'CLOUDTRAIL_TAMPERING')!;
      expect(tampering).toMatchObject({ violation_severity: 4, priority: 1, audit_relevant: false });
      expect(tampering.title!.length).toBeLessThanOrEqual(32);
      expect(wrongAmi!.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('skips duplicates on account, region, event id, type and instance id, null-safe', async () => {
      expect(
        await store.insertViolations([draft(), draft(), draft({ instanceId: null }), draft({ instanceId: null })]),
      ).toEqual({ inserted: 2, duplicates: 2 });
      expect(await store.insertViolations([draft({ region: 'us-east-1' }), draft({ type: 'WRONG_AMI' })])).toEqual({
        inserted: 2,
        duplicates: 0,
      });
      const { total, content } = await store.listViolations({}, page());
      expect(total).toBe(4);
      expect(content[0]).toMatchObject({
        event_id: 'e1',
        account_id: '111111111111',
        meta_info: { ami_name: 'taupage-1' },
        comment: null,
        rule_id: null,
        created_by: 'FULLSTOP',
      });
    });

    it('creates unknown types as the original persister does', async () => {
      await store.insertViolations([draft({ type: 'BRAND_NEW' })]);
      const type = (await store.listViolationTypes()).find((t) => t.id === 'BRAND_NEW');
      expect(type).toMatchObject({
        violation_severity: 0,
        audit_relevant: false,
        title: null,
        priority: null,
        help_text: 'This is only a default message',
      });
      expect((await store.listViolations({ types: ['BRAND_NEW'] }, page())).total).toBe(1);
    });

    it('whitelists with the first unexpired matching rule, including Jayway JsonPath rules', async () => {
      const expired = await store.createWhitelistingRule({ reason: 'old', accountId: '111111111111' }, 'u');
      await store.expireWhitelistingRule(expired.id, Date.now() + 60_000, 'u');
      await store.replaceWhitelistingRule(expired.id, { reason: 'replacement', region: 'nowhere' }, 'u');
      const byPath = await store.createWhitelistingRule(
        { reason: 'ci user', metaInfoJsonPath: '$.[?(@.user_name =~ /ses\\.ci-master-.+/)]' },
        'u',
      );
      await store.createWhitelistingRule({ reason: 'later rule', accountId: '111111111111' }, 'u');
      await store.createWhitelistingRule({ reason: 'no criteria' }, 'u');
      await store.insertViolations([
        draft(),
        draft({ eventId: 'e2', metaInfo: { user_name: 'someone' } }),
        draft({ eventId: 'e3', accountId: '222222222222', metaInfo: [] }),
      ]);
      const all = (await store.listViolations({ whitelisted: true }, page())).content;
      expect(all.map((v) => [v.event_id, v.rule_id, v.comment])).toEqual([
        ['e1', byPath.id, 'Whitelisted automatically because of:ci user'],
        ['e2', byPath.id + 1, 'Whitelisted automatically because of:later rule'],
      ]);
      expect((await store.listViolations({}, page())).content.map((v) => v.event_id)).toEqual(['e3']);
    });

    it('matches image_name as a full regex against meta_info.ami_name', async () => {
      await store.createWhitelistingRule({ reason: 'taupage', imageName: 'taupage-\\d' }, 'u');
      await store.insertViolations([draft(), draft({ eventId: 'e2', metaInfo: { ami_name: 'xtaupage-1' } })]);
      expect((await store.listViolations({ whitelisted: true }, page())).content.map((v) => v.event_id)).toEqual([
        'e1',
      ]);
    });

    it('filters, pages and sorts the list', async () => {
      await store.insertViolations([
        draft({ eventId: 'a', metaInfo: { k: 'v', flag: true } }),
        draft({
          eventId: 'b',
          accountId: '222222222222',
          region: 'us-east-1',
          type: 'UNSECURED_ROOT_USER',
          applicationId: 'app',
          applicationVersion: '1.0',
        }),
        draft({ eventId: 'c', instanceId: 'i-9', metaInfo: 'text' }),
      ]);
      const ids = async (f: Parameters<ViolationStore['listViolations']>[0], p = page()) =>
        (await store.listViolations(f, p)).content.map((v) => v.event_id);
      expect(await ids({ accounts: ['222222222222'] })).toEqual(['b']);
      expect(await ids({ regions: ['eu-west-1'] })).toEqual(['a', 'c']);
      expect(await ids({ instanceIds: ['i-9'] })).toEqual(['c']);
      expect(await ids({ severity: 4 })).toEqual(['b']);
      expect(await ids({ minSeverity: 1 })).toEqual(['a', 'b', 'c']);
      expect(await ids({ minSeverity: 2 })).toEqual(['b']);
      expect(await ids({ priority: 2 })).toEqual(['a', 'c']);
      expect(await ids({ auditRelevant: true })).toEqual([]);
      expect(await ids({ types: ['WRONG_REGION'], severity: 4 })).toEqual([]);
      expect(await ids({ applicationIds: ['app'], applicationVersionIds: ['1.0'] })).toEqual(['b']);
      expect(await ids({ meta: [['k', 'v']] })).toEqual(['a']);
      expect(
        await ids({
          meta: [
            ['k', 'v'],
            ['flag', 'true'],
          ],
        }),
      ).toEqual(['a']);
      expect(await ids({ meta: [['k', 'x']] })).toEqual([]);
      const all = (await store.listViolations({}, page())).content;
      expect(await ids({ lastViolation: all[1]!.id })).toEqual(['b', 'c']);
      expect(await ids({}, page({ sort: [{ property: 'id', direction: 'DESC' }] }))).toEqual(['c', 'b', 'a']);
      expect(await ids({}, page({ sort: [{ property: 'accountId', direction: 'DESC' }] }))).toEqual(['b', 'a', 'c']);
      const second = await store.listViolations({}, page({ page: 1, size: 2 }));
      expect([second.total, second.content.map((v) => v.event_id)]).toEqual([3, ['c']]);
      expect((await store.listViolations({}, page({ page: 5, size: 2 }))).content).toEqual([]);
    });

    it('applies strict created bounds, to sub-millisecond precision', async () => {
      await store.insertViolations([draft()]);
      const created = Date.parse(
        (await store.getViolation((await store.listViolations({}, page())).content[0]!.id))!.created!,
      );
      const total = async (f: Parameters<ViolationStore['listViolations']>[0]) =>
        (await store.listViolations(f, page())).total;
      expect(await total({ createdAfter: created })).toBe(0);
      expect(await total({ createdAfter: created - 0.5 })).toBe(1);
      expect(await total({ createdBefore: created })).toBe(0);
      expect(await total({ createdBefore: created + 0.001 })).toBe(1);
      expect(await total({ createdBefore: Date.now() + 1000 })).toBe(1);
    });

    it('resolves, and keeps counts right across writes', async () => {
      await store.insertViolations([draft(), draft({ eventId: 'e2' })]);
      const [first] = (await store.listViolations({}, page())).content;
      expect((await store.listViolations({}, page())).total).toBe(2);
      const resolved = await store.resolveViolation(first!.id, 'fixed', 'alice', '*');
      expect(resolved).toEqual({ status: 'resolved', violation: await store.getViolation(first!.id) });
      expect(resolved).toMatchObject({
        violation: { comment: 'fixed', last_modified_by: 'alice', version: first!.version + 1 },
      });
      expect((await store.listViolations({}, page())).total).toBe(1);
      expect((await store.listViolations({ checked: true }, page())).total).toBe(1);
      expect((await store.listViolations({ checked: true, whitelisted: true }, page())).total).toBe(0);
      expect(await store.resolveViolation(999_999, 'x', 'alice', '*')).toEqual({ status: 'not_found' });
      expect(await store.getViolation(999_999)).toBeUndefined();
    });

    it('resolves only violations of the accounts given, and says why it did not', async () => {
      await store.insertViolations([draft(), draft({ eventId: 'e2', accountId: '222222222222' })]);
      const [mine, other] = (await store.listViolations({}, page())).content;
      const allowed = await store.resolveViolation(mine!.id, 'ok', 'bob', ['111111111111', '333333333333']);
      expect(allowed).toMatchObject({ status: 'resolved', violation: { id: mine!.id, comment: 'ok' } });
      expect(await store.resolveViolation(other!.id, 'no', 'bob', ['111111111111'])).toEqual({
        status: 'forbidden',
        accountId: '222222222222',
      });
      expect(await store.resolveViolation(other!.id, 'no', 'bob', [])).toEqual({
        status: 'forbidden',
        accountId: '222222222222',
      });
      expect(await store.resolveViolation(999_999, 'no', 'bob', ['111111111111'])).toEqual({ status: 'not_found' });
      expect((await store.getViolation(other!.id))!.comment).toBeNull();
      // Re-resolving overwrites the comment, as the original does.
      const again = await store.resolveViolation(mine!.id, 'again', 'carol', '*');
      expect(again).toMatchObject({ violation: { comment: 'again', last_modified_by: 'carol', version: 2 } });
    });

    it('resolves a batch in one go: one outcome per id, in order, the account checked per violation', async () => {
      await store.insertViolations([
        draft(),
        draft({ eventId: 'e2' }),
        draft({ eventId: 'e3', accountId: '222222222222' }),
        draft({ eventId: 'e4', accountId: '333333333333' }),
      ]);
      const ids = (await store.listViolations({}, page())).content.map((v) => v.id);
      const [a, b, c, d] = ids as [number, number, number, number];
      const outcomes = await store.resolveViolations([d, 999_999, a, c, b], 'batch', 'bob', [
        '111111111111',
        '222222222222',
      ]);
      expect(outcomes).toEqual([
        { id: d, status: 'forbidden', accountId: '333333333333' },
        { id: 999_999, status: 'not_found' },
        { id: a, status: 'resolved' },
        { id: c, status: 'resolved' },
        { id: b, status: 'resolved' },
      ]);
      expect(await store.getViolation(a)).toMatchObject({ comment: 'batch', last_modified_by: 'bob', version: 1 });
      expect((await store.getViolation(d))!.comment).toBeNull();
      expect((await store.listViolations({}, page())).total).toBe(1);
      expect((await store.listViolations({ checked: true }, page())).total).toBe(3);
      expect(await store.resolveViolations([d, a], 'all', 'root', '*')).toEqual([
        { id: d, status: 'resolved' },
        { id: a, status: 'resolved' },
      ]);
      expect(await store.getViolation(a)).toMatchObject({ comment: 'all', version: 2 });
      expect(await store.resolveViolations([], 'none', 'root', '*')).toEqual([]);
    });

    it('counts by account and type, and by application version and type', async () => {
      await store.insertViolations([
        draft(),
        draft({ eventId: 'e2', type: 'WRONG_AMI', applicationId: 'app', applicationVersion: '1.0' }),
        draft({ eventId: 'e3', accountId: '222222222222' }),
      ]);
      expect(await store.countByAccountAndType(undefined, {})).toEqual([
        { account: '111111111111', type: 'WRONG_AMI', quantity: 1 },
        { account: '111111111111', type: 'WRONG_REGION', quantity: 1 },
        { account: '222222222222', type: 'WRONG_REGION', quantity: 1 },
      ]);
      expect(await store.countByAccountAndType(['222222222222'], {})).toHaveLength(1);
      expect(await store.countByAccountAndType(undefined, { resolved: true })).toEqual([]);
      expect(await store.countByAppVersionAndType('111111111111', {})).toEqual([
        { application: 'app', version: '1.0', type: 'WRONG_AMI', quantity: 1 },
        { application: null, version: null, type: 'WRONG_REGION', quantity: 1 },
      ]);
      const created = Date.parse((await store.listViolations({}, page())).content[0]!.created!);
      expect(await store.countByAccountAndType(undefined, { from: created + 10_000 })).toEqual([]);
      expect(
        await store.countByAppVersionAndType('222222222222', { from: created - 10_000, to: Date.now() }),
      ).toHaveLength(1);
    });

    it('keeps whitelisting rules immutable: replace expires the old one, expire only moves future dates', async () => {
      const rule = await store.createWhitelistingRule(
        { reason: 'r', accountId: '1', violationType: 'WRONG_AMI', version: 3 },
        'bob',
      );
      expect(rule).toMatchObject({
        reason: 'r',
        violation_type_entity_id: 'WRONG_AMI',
        expiry_date: '9999-01-01T00:00:00.000Z',
        created_by: 'bob',
        version: 3,
      });
      await expect(store.createWhitelistingRule({ reason: 'r', violationType: 'NOPE' }, 'bob')).rejects.toThrow(/NOPE/);
      const next = await store.replaceWhitelistingRule(rule.id, { reason: 'r2' }, 'carol');
      expect(next).toMatchObject({ reason: 'r2', created_by: 'carol' });
      expect(Date.parse((await store.getWhitelistingRule(rule.id))!.expiry_date)).toBeLessThanOrEqual(Date.now());
      expect(await store.replaceWhitelistingRule(999, { reason: 'x' }, 'carol')).toBeUndefined();
      expect(await store.expireWhitelistingRule(rule.id, Date.now() + 60_000, 'carol')).toBe('in-past');
      expect(await store.expireWhitelistingRule(next!.id, Date.now() - 1, 'carol')).toBe('in-past');
      expect(await store.expireWhitelistingRule(next!.id, Date.now() + 60_000, 'carol')).toBe('expired');
      expect(await store.expireWhitelistingRule(999, Date.now() + 60_000, 'carol')).toBe('not-found');
      expect((await store.listWhitelistingRules()).map((r) => r.id)).toEqual([rule.id, next!.id]);
    });

    it('commits a file exactly once, and a success clears its earlier failure', async () => {
      await store.recordIngestFailure({ source: 'file:///logs', key: 'a.json', fingerprint: 'f0', reason: 'not JSON' });
      expect(await store.listIngestFailures()).toEqual([
        expect.objectContaining({ key: 'a.json', reason: 'not JSON', at: expect.stringMatching(/Z$/) }),
      ]);
      expect(await store.isFileProcessed('file:///logs', 'a.json', 'f1')).toBe(false);
      expect(await store.commitFile(file('a.json'), [draft(), draft({ eventId: 'e2' })])).toEqual({
        inserted: 2,
        duplicates: 0,
      });
      expect(await store.commitFile(file('a.json'), [draft(), draft({ eventId: 'e2' })])).toEqual({
        inserted: 0,
        duplicates: 2,
      });
      expect(await store.isFileProcessed('file:///logs', 'a.json', 'f1')).toBe(true);
      expect(await store.listIngestFailures()).toEqual([]);
      expect(await store.commitFile(file('a.json', 'f2'), [draft(), draft({ eventId: 'e3' })])).toEqual({
        inserted: 1,
        duplicates: 1,
      });
    });

    it('commits a batch of files in one transaction, each exactly once, and looks them up in bulk', async () => {
      await store.recordIngestFailure({ source: 'file:///logs', key: 'b.json', fingerprint: 'f0', reason: 'not JSON' });
      expect(await store.commitFiles([])).toEqual([]);
      const results = await store.commitFiles([
        { file: file('a.json'), drafts: [draft(), draft({ eventId: 'e2' })] },
        { file: file('b.json'), drafts: [draft(), draft({ eventId: 'e3' })] },
        { file: file('a.json'), drafts: [draft({ eventId: 'e4' })] },
      ]);
      expect(results).toEqual([
        { inserted: 2, duplicates: 0 },
        { inserted: 1, duplicates: 1 },
        { inserted: 0, duplicates: 1 },
      ]);
      expect((await store.listViolations({}, page())).content.map((v) => v.event_id)).toEqual(['e1', 'e2', 'e3']);
      expect(await store.listIngestFailures()).toEqual([]);
      const lookup = [
        { key: 'a.json', fingerprint: 'f1' },
        { key: 'b.json', fingerprint: 'changed' },
        { key: 'c.json', fingerprint: 'f1' },
      ];
      expect(await store.processedKeys('file:///logs', lookup)).toEqual(new Set(['a.json']));
      expect(await store.processedKeys('file:///other', lookup)).toEqual(new Set());
      expect(await store.processedKeys('file:///logs', [])).toEqual(new Set());
      const many = Array.from({ length: 1200 }, (_, i) => ({ key: `k${i}.json`, fingerprint: 'f1' }));
      await store.commitFiles(many.filter((_, i) => i % 3 === 0).map(({ key }) => ({ file: file(key), drafts: [] })));
      expect((await store.processedKeys('file:///logs', many)).size).toBe(400);
    });

    it('remembers which files failed for good, by fingerprint, until they are committed', async () => {
      const failure = (key: string, fingerprint: string, transient?: boolean) =>
        store.recordIngestFailure({
          source: 'file:///logs',
          key,
          fingerprint,
          reason: 'not JSON',
          ...(transient !== undefined ? { transient } : {}),
        });
      await failure('bad.json', 'f1');
      await failure('unfetched.json', 'f1', true);
      await failure('changed.json', 'f1', false);
      const lookup = [
        { key: 'bad.json', fingerprint: 'f1' },
        { key: 'unfetched.json', fingerprint: 'f1' },
        { key: 'changed.json', fingerprint: 'f2' },
        { key: 'never.json', fingerprint: 'f1' },
      ];
      expect(await store.failedKeys('file:///logs', lookup)).toEqual(new Set(['bad.json']));
      expect(await store.failedKeys('file:///other', lookup)).toEqual(new Set());
      expect(await store.failedKeys('file:///logs', [])).toEqual(new Set());
      // A transient failure of the same file replaces the permanent one: it is tried again.
      await failure('bad.json', 'f1', true);
      expect(await store.failedKeys('file:///logs', lookup)).toEqual(new Set());
      await failure('bad.json', 'f1');
      await store.commitFile({ ...file('bad.json'), fingerprint: 'f1' }, []);
      expect(await store.failedKeys('file:///logs', lookup)).toEqual(new Set());
      expect((await store.listIngestFailures()).map((f) => f.key).sort()).toEqual(['changed.json', 'unfetched.json']);
    });

    it('rolls a failed batch back completely', async () => {
      const bad = { ...draft({ eventId: 'e2' }), accountId: null as unknown as string };
      await expect(
        store.commitFiles([
          { file: file('a.json'), drafts: [draft()] },
          { file: file('b.json'), drafts: [bad] },
        ]),
      ).rejects.toThrow();
      expect((await store.listViolations({}, page())).total).toBe(0);
      expect(await store.processedKeys('file:///logs', [{ key: 'a.json', fingerprint: 'f1' }])).toEqual(new Set());
    });

    it('notices rule changes between commits (the compiled whitelist is cached)', async () => {
      await store.commitFiles([{ file: file('a.json'), drafts: [draft()] }]);
      const rule = await store.createWhitelistingRule({ reason: 'account', accountId: '111111111111' }, 'u');
      await store.commitFiles([{ file: file('b.json'), drafts: [draft({ eventId: 'e2' })] }]);
      await store.expireWhitelistingRule(rule.id, Date.now() + 300, 'u');
      await store.commitFiles([{ file: file('b2.json'), drafts: [draft({ eventId: 'e2b' })] }]);
      await new Promise((resolve) => setTimeout(resolve, 350));
      await store.commitFiles([{ file: file('c.json'), drafts: [draft({ eventId: 'e3' })] }]);
      await store.replaceWhitelistingRule(rule.id, { reason: 'replaced', accountId: '111111111111' }, 'u');
      await store.commitFile(file('d.json'), [draft({ eventId: 'e4' })]);
      const all = (await store.listViolations({ whitelisted: true }, page())).content;
      expect(all.map((v) => [v.event_id, v.comment])).toEqual([
        ['e2', 'Whitelisted automatically because of:account'],
        ['e2b', 'Whitelisted automatically because of:account'],
        ['e4', 'Whitelisted automatically because of:replaced'],
      ]);
    });

    it('sorts text by its bytes (as SQLite and PostgreSQL\'s "C" collation do), nulls last ascending', async () => {
      const accounts = ['a', 'B', 'é', '_', 'Z1', 'z'];
      await store.insertViolations(
        accounts.map((accountId, i) =>
          draft({ eventId: `e${i}`, accountId, instanceId: i % 2 === 0 ? null : `i-${i}` }),
        ),
      );
      const order = async (property: 'accountId' | 'instanceId', direction: 'ASC' | 'DESC') =>
        (await store.listViolations({}, page({ sort: [{ property, direction }] }))).content.map((v) =>
          property === 'accountId' ? v.account_id : v.instance_id,
        );
      expect(await order('accountId', 'ASC')).toEqual(['B', 'Z1', '_', 'a', 'z', 'é']);
      expect(await order('accountId', 'DESC')).toEqual(['é', 'z', 'a', '_', 'Z1', 'B']);
      expect(await order('instanceId', 'ASC')).toEqual(['i-1', 'i-3', 'i-5', null, null, null]);
      expect(await order('instanceId', 'DESC')).toEqual([null, null, null, 'i-5', 'i-3', 'i-1']);
    });

    it('matches meta values as JSON spells them; JSON null and non-objects match nothing', async () => {
      await store.insertViolations([
        draft({ eventId: 'object', metaInfo: { n: 1.5, i: 2, b: false, z: null, s: 'x y' } }),
        draft({ eventId: 'list', metaInfo: [{ s: 'x y' }] }),
        draft({ eventId: 'text', metaInfo: 's' }),
      ]);
      const ids = async (meta: Array<[string, string]>) =>
        (await store.listViolations({ meta }, page())).content.map((v) => v.event_id);
      expect(await ids([['n', '1.5']])).toEqual(['object']);
      expect(await ids([['i', '2']])).toEqual(['object']);
      expect(await ids([['b', 'false']])).toEqual(['object']);
      expect(await ids([['s', 'x y']])).toEqual(['object']);
      expect(await ids([['z', 'null']])).toEqual([]);
      expect(await ids([['s', 'x']])).toEqual([]);
      expect(await ids([['missing', '']])).toEqual([]);
    });

    it("orders the per-version count by each version's first-seen time, newest first", async () => {
      await store.insertViolations([draft({ eventId: 'old', applicationId: 'app', applicationVersion: '1.0' })]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.insertViolations([draft({ eventId: 'new', applicationId: 'app', applicationVersion: '2.0' })]);
      await store.insertViolations([draft({ eventId: 'again', applicationId: 'app', applicationVersion: '1.0' })]);
      expect((await store.countByAppVersionAndType('111111111111', {})).map((c) => [c.version, c.quantity])).toEqual([
        ['2.0', 1],
        ['1.0', 2],
      ]);
    });

    it('keeps the latest failure of a file, and lists types in id order', async () => {
      await store.recordIngestFailure({ source: 's', key: 'k', fingerprint: 'f1', reason: 'first' });
      await store.recordIngestFailure({ source: 's', key: 'k', fingerprint: 'f2', reason: 'second' });
      expect(await store.listIngestFailures()).toEqual([
        expect.objectContaining({ source: 's', key: 'k', fingerprint: 'f2', reason: 'second' }),
      ]);
      const ids = (await store.listViolationTypes()).map((t) => t.id);
      expect(ids).toEqual([...ids].sort());
    });

    it('answers ids beyond any row as "nothing there"', async () => {
      await store.insertViolations([draft()]);
      expect(await store.getViolation(2 ** 60)).toBeUndefined();
      expect(await store.resolveViolation(2 ** 60, 'x', 'y', '*')).toEqual({ status: 'not_found' });
      expect(await store.getWhitelistingRule(2 ** 60)).toBeUndefined();
      expect(await store.replaceWhitelistingRule(2 ** 60, { reason: 'x' }, 'y')).toBeUndefined();
      expect((await store.listViolations({ lastViolation: 2 ** 60 }, page())).total).toBe(0);
      expect(await store.listViolations({}, page({ page: 2 ** 40 }))).toEqual({ content: [], total: 1 });
    });

    it('matches meta keys holding quotes, backslashes, dots and brackets literally', async () => {
      const metaInfo = { 'a"b': 'quote', 'k\\': 'backslash', 'x.y': 'dot', 'p[0]': 'bracket', "it's": 'apostrophe' };
      await store.insertViolations([draft({ eventId: 'odd', metaInfo }), draft({ eventId: 'plain', metaInfo: {} })]);
      for (const [key, value] of Object.entries(metaInfo)) {
        const { content } = await store.listViolations({ meta: [[key, value]] }, page());
        expect([key, content.map((v) => v.event_id)]).toEqual([key, ['odd']]);
      }
      expect((await store.listViolations({ meta: [['a"b', 'other']] }, page())).total).toBe(0);
      expect((await store.listViolations({ meta: [['a', 'quote']] }, page())).total).toBe(0);
    });

    it('claims a listed object for one reader until it is committed, failed or released', async () => {
      const objects = [
        { key: 'a.json', fingerprint: 'f1' },
        { key: 'b.json', fingerprint: 'f1' },
        { key: 'c.json', fingerprint: 'f1' },
      ];
      await store.commitFile(file('c.json'), []);
      const first = await store.claimObjects('file:///logs', objects);
      expect([[...first.claimed].sort(), [...first.done]]).toEqual([['a.json', 'b.json'], ['c.json']]);
      expect(store.claimStatus().held).toBe(2);
      // Held: nobody (not even another loop of this process) claims them again.
      expect((await store.claimObjects('file:///logs', objects)).claimed.size).toBe(0);
      await store.commitFile(file('a.json'), [draft()]);
      await store.recordIngestFailure({ source: 'file:///logs', key: 'b.json', fingerprint: 'f1', reason: 'bad' });
      expect(store.claimStatus().held).toBe(0);
      const again = await store.claimObjects('file:///logs', objects);
      expect([[...again.claimed], [...again.done].sort()]).toEqual([['b.json'], ['a.json', 'c.json']]);
      await store.releaseObjects('file:///logs', ['b.json']);
      expect(store.claimStatus().held).toBe(0);
      expect([...(await store.claimObjects('file:///logs', objects)).claimed]).toEqual(['b.json']);
      // Another source, or a changed file (new fingerprint), is another object.
      expect((await store.claimObjects('s3://other', objects)).claimed.size).toBe(3);
      expect([...(await store.claimObjects('file:///logs', [{ key: 'c.json', fingerprint: 'f2' }])).claimed]).toEqual([
        'c.json',
      ]);
    });

    it('answers a ping', async () => {
      await expect(store.ping(2000)).resolves.toBeUndefined();
    });

    it('rolls a failed commit back completely', async () => {
      const bad = { ...draft({ eventId: 'e2' }), accountId: null as unknown as string };
      await expect(store.commitFile(file('b.json'), [draft(), bad])).rejects.toThrow();
      expect((await store.listViolations({}, page())).total).toBe(0);
      expect(await store.isFileProcessed('file:///logs', 'b.json', 'f1')).toBe(false);
    });
  });
}
