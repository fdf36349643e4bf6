/**
 * The store contract for enrichment: lifecycle records and pending evaluations, committed with their file and
 * claimed, settled and counted by retriers. Run by `describeStoreContract` for every adapter.
 */
import { it, expect } from 'vitest';
import type { ViolationStore } from './store.js';
import type { ViolationDraft } from '../model.js';
import type { LifecycleQuery, LifecycleRecord, PendingEvaluationDraft } from './enrichment-types.js';

const file = (key: string, fingerprint = 'f1') => ({
  source: 'file:///logs',
  key,
  fingerprint,
  records: 1,
  badRecords: 0,
});
const violation = (eventId: string): ViolationDraft => ({
  eventId,
  accountId: '111111111111',
  region: 'eu-west-1',
  type: 'WRONG_AMI',
  instanceId: 'i-1',
  metaInfo: { ami_id: 'ami-1' },
  applicationId: 'shop',
  applicationVersion: '1.0',
});
const lifecycle = (over: Partial<LifecycleRecord> = {}): LifecycleRecord => ({
  eventType: 'RunInstances',
  eventId: 'e1',
  eventDate: '2024-05-01T10:00:00.000Z',
  accountId: '111111111111',
  region: 'eu-west-1',
  instanceId: 'i-1',
  imageId: 'ami-1',
  imageName: 'Taupage-AMI-1',
  applicationId: 'shop',
  applicationVersion: '1.0',
  ...over,
});
export const pending = (eventId: string, over: Partial<PendingEvaluationDraft> = {}): PendingEvaluationDraft => ({
  eventId,
  accountId: '111111111111',
  region: 'eu-west-1',
  event: JSON.stringify({ eventID: eventId, eventName: 'RunInstances' }),
  source: 'file:///logs',
  key: 'a.json',
  configFingerprint: 'config-1',
  lastError: 'kio GET /apps/{id} shop: Kio answered HTTP 503',
  retryable: true,
  delayMs: 0,
  ...over,
});
const query = (over: Partial<LifecycleQuery> = {}): LifecycleQuery => ({
  application: 'shop',
  page: 0,
  size: 10,
  sort: [{ property: 'created', direction: 'ASC' }],
  ...over,
});
const claim = (claimant: string, over: { limit?: number; leaseMs?: number; configFingerprint?: string } = {}) => ({
  claimant,
  limit: 100,
  leaseMs: 60_000,
  configFingerprint: 'config-1',
  ...over,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeEnrichmentContract(current: () => ViolationStore): void {
  it('commits lifecycle records and pending evaluations with their file, once per file and per event', async () => {
    const store = current();
    await store.commitFiles([
      {
        file: file('a.json'),
        drafts: [violation('e1')],
        lifecycles: [lifecycle(), lifecycle({ eventId: 'e2', eventType: 'StopInstances', instanceId: 'i-2' })],
        pending: [pending('e3'), pending('e3')],
      },
      // The same file again in the batch, and another file holding an event recorded already.
      { file: file('a.json'), drafts: [], lifecycles: [lifecycle({ eventId: 'e9' })], pending: [pending('e9')] },
      { file: file('b.json'), drafts: [], lifecycles: [lifecycle()], pending: [pending('e3', { key: 'b.json' })] },
    ]);
    const { content, total } = await store.listLifecycles(query());
    expect(total).toBe(2);
    expect(content).toEqual([
      {
        application: 'shop',
        version: '1.0',
        event_date: '2024-05-01T10:00:00.000Z',
        image_id: 'ami-1',
        image_name: 'Taupage-AMI-1',
        region: 'eu-west-1',
        instance_boot_time: null,
        event_type: 'RunInstances',
        instance_id: 'i-1',
        created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
      expect.objectContaining({ event_type: 'StopInstances', instance_id: 'i-2' }),
    ]);
    expect((await store.pendingEvaluationStatus()).count).toBe(1);
    // Committing the file again adds nothing.
    await store.commitFiles([{ file: file('a.json'), drafts: [], lifecycles: [lifecycle({ eventId: 'e7' })] }]);
    expect((await store.listLifecycles(query())).total).toBe(2);
  });

  it('lists lifecycles of one application or one version, sorted and paged', async () => {
    const store = current();
    const records = [
      lifecycle({ eventId: 'a', instanceId: 'i-3', eventDate: '2024-05-03T00:00:00.000Z' }),
      lifecycle({ eventId: 'b', instanceId: 'i-1', applicationVersion: '1.1', eventDate: '2024-05-01T00:00:00.000Z' }),
      lifecycle({ eventId: 'c', instanceId: 'i-2', eventDate: '2024-05-02T00:00:00.000Z' }),
      lifecycle({ eventId: 'd', instanceId: 'i-9', applicationId: 'other' }),
    ];
    for (const [i, record] of records.entries())
      await store.commitFiles([{ file: file(`${i}.json`), drafts: [], lifecycles: [record] }]);
    const ids = async (q: Partial<LifecycleQuery>) =>
      (await store.listLifecycles(query(q))).content.map((l) => l.instance_id);
    expect(await ids({})).toEqual(['i-3', 'i-1', 'i-2']);
    expect(await ids({ version: '1.0' })).toEqual(['i-3', 'i-2']);
    expect(await ids({ version: '1.1' })).toEqual(['i-1']);
    expect(await ids({ version: '2.0' })).toEqual([]);
    expect(await ids({ sort: [{ property: 'eventDate', direction: 'DESC' }] })).toEqual(['i-3', 'i-2', 'i-1']);
    expect(await ids({ sort: [{ property: 'instanceId', direction: 'ASC' }], size: 2, page: 1 })).toEqual(['i-3']);
    expect(await store.listLifecycles(query({ page: 5 }))).toEqual({ content: [], total: 3 });
    expect(await store.listLifecycles(query({ application: 'nobody' }))).toEqual({ content: [], total: 0 });
  });

  it('claims due rows once, counts attempts, and makes rows of another configuration due at once', async () => {
    const store = current();
    await store.commitFiles([
      {
        file: file('a.json'),
        drafts: [],
        pending: [
          pending('due'),
          pending('later', { delayMs: 3_600_000 }),
          pending('old', { delayMs: 3_600_000, configFingerprint: 'config-0' }),
        ],
      },
    ]);
    const first = await store.claimPendingEvaluations(claim('a'));
    expect(first.map((p) => [p.eventId, p.attempts])).toEqual([
      ['due', 2],
      ['old', 2],
    ]);
    expect(first[0]).toMatchObject({
      accountId: '111111111111',
      region: 'eu-west-1',
      source: 'file:///logs',
      key: 'a.json',
      configFingerprint: 'config-1',
      retryable: true,
      lastError: 'kio GET /apps/{id} shop: Kio answered HTTP 503',
    });
    expect(JSON.parse(first[0]!.event)).toEqual({ eventID: 'due', eventName: 'RunInstances' });
    expect(await store.claimPendingEvaluations(claim('b'))).toEqual([]);
    const status = await store.pendingEvaluationStatus();
    expect(status.count).toBe(3);
    expect(status.oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(status.oldestAgeMs).toBeLessThan(60_000);
    // The claimed rows come back when their lease of a minute runs out; 'later' only in an hour.
    expect(status.nextDueInMs).toBeGreaterThan(50_000);
    expect(status.nextDueInMs).toBeLessThanOrEqual(60_000);
  });

  it('settles: an evaluated row commits its violations and lifecycles and goes, a failed one waits again', async () => {
    const store = current();
    await store.commitFiles([
      { file: file('a.json'), drafts: [], pending: [pending('e1'), pending('e2'), pending('e3')] },
    ]);
    const claimed = await store.claimPendingEvaluations(claim('a', { limit: 2 }));
    expect(claimed.map((p) => p.eventId)).toEqual(['e1', 'e2']);
    const [one, two] = claimed as [(typeof claimed)[0], (typeof claimed)[0]];
    const results = await store.settlePendingEvaluations('a', [
      { id: one.id, outcome: 'evaluated', drafts: [violation('e1'), violation('e1')], lifecycles: [lifecycle()] },
      {
        id: two.id,
        outcome: 'failed',
        lastError: 'throttled',
        retryable: true,
        delayMs: 3_600_000,
        configFingerprint: 'config-2',
      },
    ]);
    expect(results).toEqual([
      { id: one.id, status: 'evaluated', inserted: 1, duplicates: 1 },
      { id: two.id, status: 'rescheduled' },
    ]);
    const violations = await store.listViolations(
      {},
      { page: 0, size: 10, sort: [{ property: 'id', direction: 'ASC' }] },
    );
    expect(violations.content.map((v) => [v.event_id, v.application_id, v.application_version_id])).toEqual([
      ['e1', 'shop', '1.0'],
    ]);
    expect((await store.listLifecycles(query())).total).toBe(1);
    // e2 failed under config-2: due at once only for a claimant under another configuration.
    expect(
      (await store.claimPendingEvaluations(claim('b', { configFingerprint: 'config-2' }))).map((p) => p.eventId),
    ).toEqual(['e3']);
    const again = await store.claimPendingEvaluations(claim('c', { configFingerprint: 'config-3' }));
    expect(again.map((p) => [p.eventId, p.attempts, p.lastError, p.configFingerprint])).toEqual([
      ['e2', 3, 'throttled', 'config-2'],
    ]);
    expect((await store.pendingEvaluationStatus()).count).toBe(2);
  });

  it('lets a claim lapse after its lease; the lapsed claimant then writes nothing', async () => {
    const store = current();
    await store.commitFiles([{ file: file('a.json'), drafts: [], pending: [pending('e1'), pending('e2')] }]);
    const [mine] = await store.claimPendingEvaluations(claim('slow', { limit: 1, leaseMs: 50 }));
    expect(mine!.eventId).toBe('e1');
    await sleep(120);
    expect((await store.pendingEvaluationStatus()).nextDueInMs).toBe(0);
    const taken = await store.claimPendingEvaluations(claim('fast'));
    expect(taken.map((p) => p.eventId)).toEqual(['e1', 'e2']);
    expect(
      await store.settlePendingEvaluations('slow', [
        { id: mine!.id, outcome: 'evaluated', drafts: [violation('e1')], lifecycles: [lifecycle()] },
        { id: mine!.id, outcome: 'failed', lastError: 'x', retryable: true, delayMs: 0, configFingerprint: 'config-1' },
      ]),
    ).toEqual([
      { id: mine!.id, status: 'lost' },
      { id: mine!.id, status: 'lost' },
    ]);
    expect(
      (await store.listViolations({}, { page: 0, size: 10, sort: [{ property: 'id', direction: 'ASC' }] })).total,
    ).toBe(0);
    expect((await store.listLifecycles(query())).total).toBe(0);
    const settled = await store.settlePendingEvaluations(
      'fast',
      taken.map((p) => ({ id: p.id, outcome: 'evaluated' as const, drafts: [violation(p.eventId)], lifecycles: [] })),
    );
    expect(settled.map((s) => s.status)).toEqual(['evaluated', 'evaluated']);
    expect(await store.pendingEvaluationStatus()).toEqual({ count: 0, oldestAgeMs: null, nextDueInMs: null });
    expect(await store.settlePendingEvaluations('fast', [])).toEqual([]);
  });

  it('gives each row to exactly one of several claimants claiming at once', async () => {
    const store = current();
    const drafts = Array.from({ length: 60 }, (_, i) => pending(`e${i}`));
    await store.commitFiles([{ file: file('a.json'), drafts: [], pending: drafts }]);
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.claimPendingEvaluations(claim(`c${i}`, { limit: 15 }))),
    );
    const ids = claims.flat().map((p) => p.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });
}
