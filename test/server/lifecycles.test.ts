/** `GET /api/lifecycles/applications/{name}/versions[/{version}]`: auth, the page envelope, sorting and paging. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifecycleRecord } from '../../src/server/store/enrichment-types.js';
import { bearer, testApp, TOKENS, type TestApp } from './helpers.js';

let t: TestApp;
const record = (i: number, over: Partial<LifecycleRecord> = {}): LifecycleRecord => ({
  eventType: i % 2 === 0 ? 'RunInstances' : 'TerminateInstances',
  eventId: `e-${i}`,
  eventDate: new Date(Date.UTC(2024, 4, 1 + i)).toISOString(),
  accountId: '111111111111',
  region: 'eu-west-1',
  instanceId: `i-${String(20 - i).padStart(2, '0')}`,
  imageId: 'ami-1',
  imageName: 'Taupage-AMI-1',
  applicationId: 'kio',
  applicationVersion: i < 12 ? '1.0' : '1.1',
  ...over,
});

beforeAll(async () => {
  t = await testApp();
  await t.store.commitFiles([
    {
      file: { source: 'file:///logs', key: 'a.json', fingerprint: '1', records: 15, badRecords: 0 },
      drafts: [],
      lifecycles: [...Array.from({ length: 15 }, (_, i) => record(i)), record(99, { applicationId: 'kio/x y' })],
    },
  ]);
});
afterAll(() => t.close());

const get = (url: string, token: string | null = TOKENS.reader) =>
  t.app.inject({ url, headers: token === null ? {} : bearer(token) });

describe('GET /api/lifecycles', () => {
  it('needs a token, as every /api read', async () => {
    expect((await get('/api/lifecycles/applications/kio/versions', null)).statusCode).toBe(401);
    expect((await get('/api/lifecycles/applications/kio/versions/1.0', 'wrong-token')).statusCode).toBe(401);
  });

  it('answers a page of 10 sorted by created, in the Spring envelope', async () => {
    const page = (await get('/api/lifecycles/applications/kio/versions')).json();
    expect(page).toMatchObject({
      total_elements: 15,
      total_pages: 2,
      size: 10,
      number: 0,
      number_of_elements: 10,
      first: true,
      last: false,
      sort: [
        {
          direction: 'ASC',
          property: 'created',
          ignore_case: false,
          null_handling: 'NATIVE',
          ascending: true,
          descending: false,
        },
      ],
    });
    expect(Object.keys(page.content[0]).sort()).toEqual(
      [
        'application',
        'version',
        'event_date',
        'image_id',
        'image_name',
        'region',
        'instance_boot_time',
        'event_type',
        'instance_id',
        'created',
      ].sort(),
    );
    // Same created: in insertion (id) order.
    expect(page.content.map((l: { instance_id: string }) => l.instance_id).slice(0, 3)).toEqual([
      'i-20',
      'i-19',
      'i-18',
    ]);
  });

  it('filters by version, sorts by entity properties, pages', async () => {
    const version = (await get('/api/lifecycles/applications/kio/versions/1.1')).json();
    expect(version.content.map((l: { version: string }) => l.version)).toEqual(['1.1', '1.1', '1.1']);
    const sorted = (await get('/api/lifecycles/applications/kio/versions?sort=instanceId,asc&size=4&page=1')).json();
    expect(sorted.content.map((l: { instance_id: string }) => l.instance_id)).toEqual(['i-10', 'i-11', 'i-12', 'i-13']);
    const byDate = (await get('/api/lifecycles/applications/kio/versions?sort=eventDate,desc&size=1')).json();
    expect(byDate.content[0]).toMatchObject({ event_date: '2024-05-15T00:00:00.000Z', event_type: 'RunInstances' });
    const encoded = (await get('/api/lifecycles/applications/kio%2Fx%20y/versions')).json();
    expect(encoded.content).toEqual([expect.objectContaining({ application: 'kio/x y', instance_id: 'i--79' })]);
    expect((await get('/api/lifecycles/applications/nobody/versions')).json()).toMatchObject({
      content: [],
      total_elements: 0,
      total_pages: 0,
    });
  });

  it('answers a bad sort or page parameter with 400 and a JSON body', async () => {
    const sort = await get('/api/lifecycles/applications/kio/versions?sort=nonsense');
    expect(sort.statusCode).toBe(400);
    expect(sort.json().message).toContain("sort: unknown property 'nonsense'");
    const page = await get('/api/lifecycles/applications/kio/versions?page=x');
    expect(page.statusCode).toBe(400);
    expect(page.json()).toMatchObject({ status: 400 });
  });
});
