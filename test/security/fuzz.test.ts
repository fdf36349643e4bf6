/**
 * HTTP fuzzing: thousands of generated requests (fast-check, fixed seed) against the real listening server over
 * a seeded SQLite store. Whatever comes in, no answer is a 5xx, the server never crashes, every 4xx carries the
 * JSON error body, and the seeded data is still there afterwards.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { Socket } from 'node:net';
import { startHarness, client, errorBodyProblem, type Harness, type Answer } from './harness.js';
import { fuzzRequest, type FuzzRequest } from './fuzz-arbitraries.js';

const RUNS = 2400;
const BATCH = 'POST /api/violations/resolutions';
const SEED = 20_240_610;

let h: Harness;
let http: ReturnType<typeof client>;
beforeAll(async () => {
  h = await startHarness();
  http = client(h.url);
});
afterAll(async () => {
  await http?.close();
  await h?.close();
});

/** Sends bytes as they are, for what no HTTP client would send; resolves with everything the server wrote. */
function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let out = '';
    socket.on('data', (chunk) => (out += chunk.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', () => undefined);
    socket.connect(port, '127.0.0.1', () => socket.end(bytes));
  });
}

describe('HTTP fuzzing', () => {
  it(`answers ${RUNS} generated requests without a 5xx, and every 4xx with the JSON error body`, async () => {
    const statuses = new Map<number, number>();
    const endpoints = new Map<string, number>();
    const batchStatuses = new Map<number, number>();
    const failures: string[] = [];
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (req: FuzzRequest) => {
        const answer: Answer = await http.send(req.method, req.path, req.headers, req.body);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        endpoints.set(req.endpoint, (endpoints.get(req.endpoint) ?? 0) + 1);
        if (req.endpoint === BATCH) batchStatuses.set(answer.status, (batchStatuses.get(answer.status) ?? 0) + 1);
        const problem =
          answer.status >= 500
            ? `status ${answer.status}: ${answer.text.slice(0, 200)}`
            : answer.status >= 400 && req.method !== 'HEAD'
              ? errorBodyProblem(answer)
              : undefined;
        if (problem !== undefined) failures.push(`${req.method} ${req.path.slice(0, 200)}: ${problem}`);
        return problem === undefined;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const seconds = (performance.now() - started) / 1000;
    const histogram = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    console.log(`fuzz: ${RUNS} requests in ${seconds.toFixed(1)} s; statuses ${histogram.join(', ')}`);
    const batch = [...batchStatuses.entries()].sort(([a], [b]) => a - b).map(([st, n]) => `${st}: ${n}`);
    console.log(`fuzz: ${BATCH} statuses ${batch.join(', ')}`);
    console.log(`fuzz: per endpoint ${[...endpoints.entries()].map(([e, n]) => `${e}: ${n}`).join('; ')}`);
    expect(failures).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    // Every endpoint was reached with a token it accepts.
    expect(statuses.get(200)).toBeGreaterThan(RUNS / 10);
    // The batch route resolved some (valid bodies), and refused the rest precisely.
    expect(batchStatuses.get(200)).toBeGreaterThan(10);
    expect(batchStatuses.get(400)).toBeGreaterThan(10);
    expect(endpoints.size).toBeGreaterThanOrEqual(17);
  });

  it('answers what Node parses before any route (malformed requests, huge headers) with the JSON error body', async () => {
    const port = Number(new URL(h.url).port);
    const cases = [
      'GARBAGE\r\n\r\n',
      'GET /health HTTP/9.9\r\n\r\n',
      'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /api/violations?${'a=1&'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      'POST /api/violations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZ\r\n',
      'POST /api/violations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
      'POST /api/violations HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    ];
    for (const bytes of cases) {
      const raw = await sendRaw(port, bytes);
      const [head = '', text = ''] = raw.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      expect([bytes.slice(0, 40), status >= 400 && status < 500]).toEqual([bytes.slice(0, 40), true]);
      const answer: Answer = { status, headers: { 'content-type': /content-type: ([^\r]+)/i.exec(head)?.[1] }, text };
      expect([bytes.slice(0, 40), errorBodyProblem(answer)]).toEqual([bytes.slice(0, 40), undefined]);
    }
  });

  it('is still up afterwards, with every seeded violation and rule in place', async () => {
    expect((await http.send('GET', '/health')).status).toBe(200);
    const { store } = h.server;
    for (let id = 1; id <= h.seeded.violations; id++)
      expect((await store.getViolation(id))?.event_id).toBe(`seed-${id - 1}`);
    const reasons = (await store.listWhitelistingRules()).map((r) => r.reason);
    expect(reasons.filter((r) => r.startsWith('seeded'))).toHaveLength(h.seeded.rules);
  });
});
