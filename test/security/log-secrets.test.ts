/**
 * Secrets stay out of the logs: after a run of requests (resolutions whose comment holds a secret, tokens good
 * and bad, a token in the query string, failing dependencies), the captured log (every level, pino's stream)
 * holds neither the tokens nor the secret, while it does hold a line for every request.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import { startHarness, client, bearer, json, STATIC, TOKEN_INFO, ACCOUNT_A, type Harness } from './harness.js';

const SECRET = 'MARKER-SECRET-7f3a9c-do-not-log';
const MADE_UP = `made-up-${SECRET}-token`;
const lines: string[] = [];

let h: Harness;
let http: ReturnType<typeof client>;
beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  h = await startHarness({ logger: { level: 'trace', stream } });
  http = client(h.url);
});
afterAll(async () => {
  await http?.close();
  await h?.close();
});

describe('the log', () => {
  it('holds no token and no secret from comments or bodies, whatever the outcome of the request', async () => {
    const comment = `rotated the key, the old one was ${SECRET}`;
    const requests: Array<[string, string, Record<string, string>, string?]> = [
      ['POST', '/api/violations/2/resolution', { ...bearer(STATIC.admin), 'content-type': 'text/plain' }, comment],
      ['POST', '/api/violations/2/resolution', { ...bearer(STATIC.alice), 'content-type': 'text/plain' }, comment],
      ['POST', '/api/violations/1/resolution', bearer(TOKEN_INFO.member), comment],
      ['POST', '/api/violations/999999/resolution', bearer(STATIC.admin), comment],
      ['POST', '/api/violations/1/resolution', { ...bearer(STATIC.admin), ...json }, `{"comment":"${SECRET}"}`],
      ['POST', '/api/violations/1/resolution', bearer(STATIC.admin), `${SECRET}${'x'.repeat(1024 * 1024)}`],
      ['POST', '/api/violations/1/resolution', bearer(TOKEN_INFO.broken), comment],
      ['POST', '/api/violations/1/resolution', bearer(MADE_UP), comment],
      [
        'POST',
        '/api/violations',
        { ...bearer(STATIC.admin), ...json },
        JSON.stringify({
          event_id: 'log-1',
          account_id: ACCOUNT_A,
          region: 'eu-west-1',
          violation_type: 'WRONG_AMI',
          meta_info: { note: SECRET },
        }),
      ],
      ['POST', '/api/violations', { ...bearer(STATIC.admin), ...json }, `{"event_id": "${SECRET}`],
      [
        'POST',
        '/api/whitelisting-rules',
        { ...bearer(STATIC.admin), ...json },
        JSON.stringify({ reason: 'r', image_name: `(${SECRET}` }),
      ],
      ['GET', '/api/violations', bearer(TOKEN_INFO.failing)],
      ['GET', '/api/violations', bearer(TOKEN_INFO.expired)],
      ['GET', '/api/violations', { authorization: `Basic ${Buffer.from(`admin:${SECRET}`).toString('base64')}` }],
      ['GET', `/api/violations?access_token=${SECRET}&size=1`, bearer(STATIC.admin)],
      ['GET', `/api/violations?token=${SECRET}`, {}],
      ['GET', '/health', bearer(MADE_UP)],
    ];
    const statuses: number[] = [];
    for (const [method, path, headers, body] of requests)
      statuses.push((await http.send(method, path, headers, body)).status);
    expect(statuses).toEqual([200, 403, 200, 404, 200, 413, 503, 401, 202, 400, 400, 503, 401, 401, 200, 401, 200]);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const log = lines.join('\n');
    const completed = lines.filter((line) => line.includes('"request completed"'));
    console.log(`log secrets: ${requests.length} requests, ${lines.length} log lines checked (level trace)`);
    expect(completed).toHaveLength(requests.length);
    // The failures of token info and of the team service are logged with their cause, the tokens are not.
    expect(lines.filter((line) => line.includes('"level":50'))).toHaveLength(2);
    for (const secret of [SECRET, ...Object.values(STATIC), ...Object.values(TOKEN_INFO), 'Bearer', 'authorization']) {
      expect([secret, log.includes(secret)]).toEqual([secret, false]);
    }
    expect(log).toContain('/api/violations?access_token=***&size=1');
  });
});
