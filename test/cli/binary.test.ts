/** Runs the built `fullstop` executable as a subprocess against a real local HTTP server. */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/run-cli.js';
import { fixtureViolations, javaPage } from '../helpers/msw.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = `${root}dist/bin/fullstop.js`;

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

let server: Server;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  if (!existsSync(bin)) {
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [`${root}scripts/build.mjs`], (error) => (error ? reject(error) : resolve())),
    );
  }
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    const open = fixtureViolations().filter((v) => v.comment === null);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(javaPage(open.reverse(), 0, 20, { property: 'id', direction: 'DESC' })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the fullstop binary', () => {
  it('prints its version', async () => {
    const version = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;
    expect(await run(['--version'], {})).toEqual({ code: 0, stdout: `fullstop ${version}\n`, stderr: '' });
    // -V takes the launcher's short cut too; with a command the full CLI answers, and must agree.
    expect(await run(['-V'], {})).toEqual({ code: 0, stdout: `fullstop ${version}\n`, stderr: '' });
    expect(await run(['types', '--version'], {})).toEqual({ code: 0, stdout: `fullstop ${version}\n`, stderr: '' });
  });

  it('exits quietly when the reader of --version has gone', async () => {
    const child = spawn(process.execPath, [bin, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('lists violations from a server and exits 3 with --exit-code', async () => {
    const home = tempHome();
    const r = await run(['list-violations', '-o', 'json', '--exit-code', '-l', '2'], {
      HOME: home,
      FULLSTOP_CONFIG_DIR: home,
      FULLSTOP_URL: url,
      FULLSTOP_TOKEN: 'binary-test-token',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([106, 107]);
    // No -s: no time window, so no from (as fullstop-cli 1.0.13).
    expect(seen.at(-1)).toBe('GET /api/violations?sort=id%2CDESC&page=0&size=2 Bearer binary-test-token');
  });

  it('exits 2 with the configure hint when no URL is configured', async () => {
    const home = tempHome();
    const r = await run(['types'], { HOME: home, FULLSTOP_CONFIG_DIR: home });
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: No Fullstop URL configured: run `fullstop configure` or set FULLSTOP_URL\n',
    });
  });

  it('ends at once with exit 130 on Ctrl-C while it waits to retry', async () => {
    const busy = createServer((_req, res) => {
      res.writeHead(503, { 'Retry-After': '60', 'Content-Type': 'application/json' });
      res.end('{"status":503,"error":"Service Unavailable","message":"maintenance","path":"/api/violation-types"}');
      // The answer is out: the command now waits a minute before it retries, unless interrupted.
      setTimeout(() => child.kill('SIGINT'), 100);
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const home = tempHome();
    const child = spawn(process.execPath, [bin, 'types'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        FULLSTOP_CONFIG_DIR: home,
        FULLSTOP_URL: `http://127.0.0.1:${(busy.address() as { port: number }).port}`,
        FULLSTOP_TOKEN: 'binary-test-token',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const started = performance.now();
    const code = await new Promise((resolve) => child.on('exit', resolve));
    const elapsed = performance.now() - started;
    busy.closeAllConnections();
    await new Promise((resolve) => busy.close(resolve));
    expect({ code, stderr }).toEqual({ code: 130, stderr: 'error: interrupted\n' });
    expect(elapsed).toBeLessThan(3000);
  });
});

describe('the start-up bundle', () => {
  /** The modules dist/bin/cli.js loads before any command runs: its static imports, followed through its chunks. */
  function staticImports(): string[] {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(`${root}dist/bin/${file}`, 'utf8');
      // `import … from "x"` and `import "x"`; a dynamic `import("x")` has a parenthesis and is left out.
      for (const [, specifier] of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)) {
        if (specifier!.startsWith('./')) visit(specifier!.slice(2));
        else external.add(specifier!);
      }
    };
    visit('cli.js');
    return [...external].sort();
  }

  it('loads no package but the bundled ones (commander) and Node built-ins before a command runs', () => {
    const imports = staticImports();
    expect(imports.length).toBeGreaterThan(0);
    // re2js alone (260 KB) once added ~5 ms to every start, through a flag parser of `rules add`.
    expect(imports.filter((specifier) => !specifier.startsWith('node:'))).toEqual([]);
  });
});
