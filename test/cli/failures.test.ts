import { createServer } from 'node:net';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import {
  BASE_URL,
  fixtureViolations,
  javaPage,
  javaServer,
  server as msw,
  springError,
  useMsw,
} from '../helpers/msw.js';

useMsw();

const list = ['list-violations', '--since', '7d', '-o', 'json'];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('failures', () => {
  it('retries a 503 and then succeeds', async () => {
    const server = javaServer();
    let calls = 0;
    msw.use(
      http.get(`${BASE_URL}/api/violations`, () => {
        calls++;
        return calls === 1
          ? springError(503, 'Service Unavailable', 'Dependency unavailable', '/api/violations')
          : undefined;
      }),
    );
    const r = await runCli(list);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(7);
    expect(calls).toBe(2);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up after 3 retries and prints the Spring message', async () => {
    let calls = 0;
    msw.use(
      http.get(`${BASE_URL}/api/violations`, () => {
        calls++;
        return springError(503, 'Service Unavailable', 'Dependency unavailable', '/api/violations');
      }),
    );
    const r = await runCli(list);
    expect(calls).toBe(4);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: GET \S+\/api\/violations\?\S+: 503 service unavailable: Dependency unavailable\n$/,
    );
    expect(r.stderr.startsWith(`error: GET ${BASE_URL}/api/violations?`)).toBe(true);
  });

  it('times out with a hint', async () => {
    msw.use(
      http.get(`${BASE_URL}/api/violations`, async () => {
        await delay(5_000);
        return HttpResponse.json(javaPage([], 0, 20, { property: 'id', direction: 'DESC' }));
      }),
    );
    const r = await runCli([...list, '--timeout', '1']);
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: no answer from ${BASE_URL} within 1 s\nhint: raise --timeout (or FULLSTOP_TIMEOUT) if the server is just slow\n`,
    });
  });

  it('reports malformed JSON, and JSON that ends mid-way, naming the request', async () => {
    for (const [body, problem] of [
      ['<html>not here</html>', 'the server sent malformed JSON for the violation list'],
      ['{"content": [', "the server's answer for the violation list ends mid-way (cut off?)"],
    ]) {
      msw.use(
        http.get(
          `${BASE_URL}/api/violations`,
          () => new HttpResponse(body, { headers: { 'Content-Type': 'application/json' } }),
        ),
      );
      const r = await runCli(list);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toMatch(/^error: GET \S+\/api\/violations\?\S+: (.*)\nhint: (.*)\n$/);
      expect(r.stderr).toContain(
        `: ${problem}\nhint: try again; if it persists, check that the configured URL is a fullstop server\n`,
      );
    }
  });

  it('maps 401 to exit 4 with a token hint', async () => {
    javaServer();
    const r = await runCli(list, { env: { FULLSTOP_TOKEN: 'expired-token' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^error: GET \S+: 401 invalid_token: Access token expired\nhint: the server did not accept the token: pass --token, set FULLSTOP_TOKEN or FULLSTOP_TOKEN_COMMAND\n$/,
    );
  });

  it('maps an empty-bodied 403 to exit 4', async () => {
    msw.use(http.get(`${BASE_URL}/api/violation-types`, () => new HttpResponse(null, { status: 403 })));
    const r = await runCli(['types']);
    expect(r).toMatchObject({
      code: 4,
      stdout: '',
      stderr: `error: GET ${BASE_URL}/api/violation-types: 403 forbidden\nhint: the token is valid but not allowed to do this (resolving needs membership in the account)\n`,
    });
  });

  it('reports a refused connection after retrying', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const r = await runCli(['types'], { env: { FULLSTOP_URL: url } });
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: could not reach ${url} (ECONNREFUSED)\nhint: check the server URL (FULLSTOP_URL or \`fullstop configure\`)\n`,
    });
  });

  it('a Spring 400 (bad parameter) is exit 1 with the server message', async () => {
    javaServer();
    msw.use(
      http.get(`${BASE_URL}/api/violations`, () =>
        springError(
          400,
          'Bad Request',
          "Failed to convert value of type 'java.lang.String' to required type 'java.lang.Integer'",
          '/api/violations',
        ),
      ),
    );
    const r = await runCli(list);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      ": 400 bad request: Failed to convert value of type 'java.lang.String' to required type 'java.lang.Integer'\n",
    );
  });

  it('accepts the old envelope quirks: meta_info of every shape, missing optional keys', async () => {
    const [first] = fixtureViolations();
    const { application_id: _a, application_version_id: _b, rule_id: _c, ...old } = first!;
    msw.use(
      http.get(`${BASE_URL}/api/violations`, () =>
        HttpResponse.json({ content: [{ ...old, meta_info: 'plain text' }], last: true }),
      ),
    );
    const r = await runCli(list);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({
      id: 101,
      meta_info: 'plain text',
      application_id: null,
      rule_id: null,
    });
  });

  it('bad flags are usage errors (exit 2) that send no request', async () => {
    for (const argv of [
      ['list-violations', '--since', 'yesterday'],
      ['list-violations', '--accounts', '12'],
      ['list-violations', '-o', 'xml'],
      ['list-violations', '--severity', '9'],
      ['list-violations', '-x', '('],
      ['list-violations', '-m', 'novalue'],
      ['no-such-command'],
    ]) {
      const r = await runCli(argv);
      expect({ argv, code: r.code, stdout: r.stdout }).toEqual({ argv, code: 2, stdout: '' });
      expect(r.stderr).toMatch(/^error: /);
    }
  });

  it('prints a stack trace only with FULLSTOP_DEBUG=1', async () => {
    msw.use(http.get(`${BASE_URL}/api/violation-types`, () => HttpResponse.json({ not: 'a list' })));
    const quiet = await runCli(['types']);
    expect(quiet.stderr).not.toContain('    at ');
    const debug = await runCli(['types'], { env: { FULLSTOP_DEBUG: '1' } });
    expect(debug.stderr).toContain('    at ');
    expect(debug.code).toBe(1);
  });
});
