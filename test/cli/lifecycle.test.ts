/**
 * `fullstop lifecycle APPLICATION [VERSION]`: against answers shaped as the original Java server sends them
 * (Spring page envelope, LifecylceDTO in snake_case, Joda dates), and against the real `fullstop server`.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { LifecycleRecord } from '../../src/server/store/enrichment-types.js';
import { startServerProcess, type ServerProcess } from '../e2e/server-process.js';
import { BASE_URL, javaPage, server, TOKEN, useMsw } from '../helpers/msw.js';
import { runCli } from '../helpers/run-cli.js';

useMsw();

/** Records as the Java server serialises them; the newest last. */
const records = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    application: 'kio',
    version: i < 3 ? '1.0' : '1.1',
    event_date: `2015-06-${String(10 + i).padStart(2, '0')}T00:00:00.000Z`,
    image_id: 'ami-f4898287',
    image_name: 'Taupage-AMI-20150512-142119',
    region: 'eu-west-1',
    instance_boot_time: null,
    event_type: i % 2 === 0 ? 'RunInstances' : 'TerminateInstances',
    instance_id: `i-${1000 + i}`,
    created: `2015-06-${String(10 + i).padStart(2, '0')}T08:00:00.000Z`,
  }));

/** A Java server with the records, answering `sort=created,…,desc` newest first and every page as asked. */
function javaLifecycles(all: ReturnType<typeof records>, requests: URL[] = []) {
  const answer = (url: URL, version?: string) => {
    requests.push(url);
    const page = Number(url.searchParams.get('page') ?? 0);
    const size = Number(url.searchParams.get('size') ?? 10);
    const desc = /desc$/i.test(url.searchParams.get('sort') ?? '');
    const matching = all.filter((r) => version === undefined || r.version === version);
    const ordered = desc ? [...matching].reverse() : matching;
    return HttpResponse.json(javaPage(ordered, page, size, { property: 'created', direction: desc ? 'DESC' : 'ASC' }));
  };
  server.use(
    http.get(`${BASE_URL}/api/lifecycles/applications/:name/versions`, ({ request, params }) =>
      params['name'] === 'kio' && request.headers.get('authorization') === `Bearer ${TOKEN}`
        ? answer(new URL(request.url))
        : HttpResponse.json(javaPage([], 0, 10, { property: 'created', direction: 'ASC' })),
    ),
    http.get(`${BASE_URL}/api/lifecycles/applications/:name/versions/:version`, ({ request, params }) =>
      answer(new URL(request.url), String(params['version'])),
    ),
  );
  return requests;
}

describe('lifecycle against the Java server', () => {
  it('prints the newest records oldest first, as TSV with the API keys', async () => {
    const requests = javaLifecycles(records(5));
    const r = await runCli(['lifecycle', 'kio', '-l', '3', '-o', 'tsv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      'application\tversion\tevent_type\tevent_date\tinstance_id\tregion\timage_id\timage_name\tinstance_boot_time\tcreated\n' +
        'kio\t1.0\tRunInstances\t2015-06-12T00:00:00.000Z\ti-1002\teu-west-1\tami-f4898287\tTaupage-AMI-20150512-142119\t\t2015-06-12T08:00:00.000Z\n' +
        'kio\t1.1\tTerminateInstances\t2015-06-13T00:00:00.000Z\ti-1003\teu-west-1\tami-f4898287\tTaupage-AMI-20150512-142119\t\t2015-06-13T08:00:00.000Z\n' +
        'kio\t1.1\tRunInstances\t2015-06-14T00:00:00.000Z\ti-1004\teu-west-1\tami-f4898287\tTaupage-AMI-20150512-142119\t\t2015-06-14T08:00:00.000Z\n',
    );
    expect(requests.map((u) => u.search)).toEqual(['?page=0&size=3&sort=created%2Cid%2Cdesc']);
  });

  it('asks one version, pages until the limit, and prints JSON unchanged', async () => {
    const requests = javaLifecycles(records(5));
    const r = await runCli(['lifecycle', 'kio', '1.0', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(records(3));
    expect(requests.map((u) => u.pathname)).toEqual(['/api/lifecycles/applications/kio/versions/1.0']);
    // A server with smaller pages than asked for (the Java server clamps at 2000) is read page by page.
    const many = records(30);
    const clamped: URL[] = [];
    server.use(
      http.get(`${BASE_URL}/api/lifecycles/applications/:name/versions`, ({ request }) => {
        const url = new URL(request.url);
        clamped.push(url);
        return HttpResponse.json(
          javaPage([...many].reverse(), Number(url.searchParams.get('page')), 7, {
            property: 'created',
            direction: 'DESC',
          }),
        );
      }),
    );
    const paged = await runCli(['lifecycle', 'kio', '-l', '25', '-o', 'ndjson']);
    expect(
      paged.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).instance_id),
    ).toEqual(many.slice(5).map((r) => r.instance_id));
    expect(clamped.map((u) => u.searchParams.get('page'))).toEqual(['0', '1', '2', '3']);
  });

  it('encodes the names into the path', async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${BASE_URL}/api/lifecycles/applications/:name/versions/:version`, ({ request, params }) => {
        seen.push(new URL(request.url).pathname, `${String(params['name'])}|${String(params['version'])}`);
        return HttpResponse.json(javaPage([], 0, 10, { property: 'created', direction: 'DESC' }));
      }),
    );
    const r = await runCli(['lifecycle', 'my app/x', '1.0 beta?', '-o', 'csv'], { tty: false });
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toEqual(['/api/lifecycles/applications/my%20app%2Fx/versions/1.0%20beta%3F', 'my app/x|1.0 beta?']);
    expect(r.stdout).toBe(
      'application,version,event_type,event_date,instance_id,region,image_id,image_name,instance_boot_time,created\n',
    );
  });

  it('fails clearly: no application, a bad limit, a server without lifecycles', async () => {
    expect(await runCli(['lifecycle'])).toMatchObject({ code: 2 });
    const limit = await runCli(['lifecycle', 'kio', '-l', '0']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('expected an integer ≥ 1');
    server.use(
      http.get(`${BASE_URL}/api/lifecycles/applications/:name/versions`, () => new HttpResponse(null, { status: 404 })),
    );
    const missing = await runCli(['lifecycle', 'kio']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/GET \S+\/api\/lifecycles\/applications\/kio\/versions\S*: .*404/);
  });

  it('shows an example in its help', async () => {
    const r = await runCli(['lifecycle', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: fullstop lifecycle [options] <application> [version]');
    expect(r.stdout).toContain('$ fullstop lifecycle kio 1.0 -l 100 -o csv');
  });
});

describe('lifecycle against fullstop server', () => {
  let dir: string;
  let store: ViolationStore;
  let process: ServerProcess;

  const record = (i: number, over: Partial<LifecycleRecord> = {}): LifecycleRecord => ({
    eventType: 'RunInstances',
    eventId: `e-${i}`,
    eventDate: new Date(Date.UTC(2024, 4, 1, i)).toISOString(),
    accountId: '123456789012',
    region: 'eu-west-1',
    instanceId: `i-${i}`,
    imageId: 'ami-1',
    imageName: 'Taupage-AMI-1',
    applicationId: 'shop',
    applicationVersion: i < 4 ? '1.0' : '2.0',
    ...over,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fullstop-lifecycle-cli-'));
    const db = `sqlite:${join(dir, 'fullstop.db')}`;
    store = await openStore(db);
    for (let i = 0; i < 6; i++)
      await store.commitFiles([
        {
          file: { source: 'file:///logs', key: `${i}.json`, fingerprint: '1', records: 1, badRecords: 0 },
          drafts: [],
          lifecycles: [record(i), record(i, { eventId: `o-${i}`, applicationId: 'other' })],
        },
      ]);
    process = await startServerProcess(['--no-auth', '--db', db]);
  });
  afterAll(async () => {
    await process.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the newest records of an application or a version', async () => {
    const env = { env: { FULLSTOP_URL: process.url } };
    const all = await runCli(['lifecycle', 'shop', '-l', '4', '-o', 'json'], env);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).map((l: { instance_id: string }) => l.instance_id)).toEqual([
      'i-2',
      'i-3',
      'i-4',
      'i-5',
    ]);
    const one = await runCli(['lifecycle', 'shop', '1.0', '-o', 'tsv'], env);
    expect(
      one.stdout
        .split('\n')
        .slice(1, -1)
        .map((line) => line.split('\t').slice(0, 5)),
    ).toEqual([
      ['shop', '1.0', 'RunInstances', '2024-05-01T00:00:00.000Z', 'i-0'],
      ['shop', '1.0', 'RunInstances', '2024-05-01T01:00:00.000Z', 'i-1'],
      ['shop', '1.0', 'RunInstances', '2024-05-01T02:00:00.000Z', 'i-2'],
      ['shop', '1.0', 'RunInstances', '2024-05-01T03:00:00.000Z', 'i-3'],
    ]);
    const text = await runCli(['lifecycle', 'shop', '2.0'], { env: { ...env.env, NO_COLOR: '1' }, tty: true });
    expect(text.stdout.split('\n')[0]).toMatch(/^Application\s+Version\s+Event\s+Event Date\s+Instance/);
    const none = await runCli(['lifecycle', 'nobody'], { ...env, tty: true });
    expect(none).toMatchObject({ code: 0, stderr: 'No lifecycle records of nobody.\n' });
  });
});
