/**
 * Regular expressions written by users (a whitelisting rule's `image_name`, and `=~` inside its
 * `meta_info_json_path`) run inside the commit of every new violation, on the thread that also answers HTTP. A
 * backtracking engine lets one rule such as `(a+)+$` stall the whole server on an input like `aaaa…!`; this
 * suite starts the real `fullstop server` as a child process (so that a stalled server cannot stall the test
 * too) and proves that it keeps answering /health while such rules are evaluated.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../e2e/server-process.js';

const TOKEN = 'redos-admin-token-0123456789-0123456789';
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
/**
 * Backtracking engines take about 2^n steps on n letters followed by a mismatch: 40 is beyond any timeout. The
 * linear-time engine takes a few milliseconds on 100,000; ten violations keep it busy while /health is polled.
 */
const EVIL_INPUTS = [`${'a'.repeat(40)}!`, ...Array.from({ length: 9 }, () => `${'a'.repeat(100_000)}!`)];
const HEALTH_BOUND_MS = 1000;

let dir: string;
let server: ServerProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-redos-'));
  const config = join(dir, 'server.yaml');
  writeFileSync(
    config,
    [
      'auth:',
      '  tokens:',
      `    - { token: "${TOKEN}", uid: admin, scopes: [uid, fullstop.violation.write], accounts: "*", teams: [stups] }`,
    ].join('\n'),
  );
  server = await startServerProcess(['--config', config, '--db', `sqlite:${join(dir, 'fullstop.db')}`]);
});

afterAll(async () => {
  // SIGKILL: a server stalled in a regular expression never runs its SIGTERM handler.
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 50));
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, timeoutMs = 5_000): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** Polls /health every 50 ms until `work` settles; the slowest answer, or Infinity when one timed out. */
async function slowestHealthWhile(work: Promise<unknown>): Promise<{ slowestMs: number; answers: number }> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => undefined);
  let slowestMs = 0;
  let answers = 0;
  while (!done) {
    const started = performance.now();
    try {
      const res = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(HEALTH_BOUND_MS * 2) });
      expect(res.status).toBe(200);
      answers++;
      slowestMs = Math.max(slowestMs, performance.now() - started);
    } catch {
      return { slowestMs: Infinity, answers };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { slowestMs, answers };
}

function violationBody(eventId: string) {
  return { event_id: eventId, account_id: '111111111111', region: 'eu-west-1', violation_type: 'WRONG_AMI' };
}

describe('catastrophic regular expressions in whitelisting rules', () => {
  it('keep the server answering /health while new violations are checked against them', async () => {
    const imageRule = await post('/api/whitelisting-rules', { reason: 'evil image name', image_name: '(a+)+$' });
    expect(imageRule.status).toBe(201);
    const pathRule = await post('/api/whitelisting-rules', {
      reason: 'evil path',
      meta_info_json_path: '$.[?(@.user_name =~ /(a|aa)+$/)]',
    });
    expect(pathRule.status).toBe(201);

    const started = performance.now();
    const violations = (async () => {
      const statuses: Array<number | string> = [];
      for (const [i, input] of EVIL_INPUTS.entries()) {
        const body = { ...violationBody(`evil-${i}`), meta_info: { ami_name: input, user_name: input } };
        statuses.push(
          await post('/api/violations', body).then(
            (res) => res.status,
            (error: Error) => error.name,
          ),
        );
      }
      return statuses;
    })();
    const health = await slowestHealthWhile(violations);
    const statuses = await violations;
    const elapsedMs = performance.now() - started;
    console.log(
      `ReDoS: ${EVIL_INPUTS.length} violations checked against (a+)+$ and (a|aa)+$ in ${elapsedMs.toFixed(0)} ms; ` +
        `/health answered ${health.answers}× meanwhile, slowest ${health.slowestMs.toFixed(0)} ms`,
    );
    expect(health.slowestMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(statuses).toEqual(EVIL_INPUTS.map(() => 202));

    // The rules still work: a name they match is whitelisted.
    expect((await post('/api/violations', { ...violationBody('ok-1'), meta_info: { ami_name: 'aaaa' } })).status).toBe(
      202,
    );
    const list = await fetch(`${server.url}/api/violations?whitelisted=true&to=2999-01-01T00:00:00Z`, {
      headers: HEADERS,
    });
    const { content } = (await list.json()) as { content: Array<{ event_id: string }> };
    expect(content.map((v) => v.event_id)).toEqual(['ok-1']);
  });
});
