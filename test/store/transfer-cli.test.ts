/**
 * `fullstop migrate`, `export` and `import` as commands: in-process through main() for their output and exit
 * codes, and the built binary for the pipe a user writes (`fullstop export … | fullstop import …`).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/server/store/open-store.js';
import { migrationFiles } from '../../src/server/store/postgres-migrate.js';
import { runCli } from '../helpers/run-cli.js';
import { BINARY, assertBuilt } from '../e2e/server-process.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from './pg.js';

let dir: string;
const schemas: TestSchema[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-transfer-cli-'));
});
afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
  rmSync(dir, { recursive: true, force: true });
});

async function sqliteStore(name: string): Promise<string> {
  const url = `sqlite:${join(dir, name)}`;
  const store = await openStore(url);
  await store.insertViolations([
    { eventId: 'e1', accountId: '1', region: 'r', type: 'WRONG_AMI', metaInfo: { a: 1 } },
    { eventId: 'e2', accountId: '2', region: 'r', type: 'NEW_TYPE', instanceId: 'i-2' },
  ]);
  await store.resolveViolation(2, 'done', 'alice', '*');
  await store.createWhitelistingRule({ reason: 'r', accountId: '3' }, 'bob');
  await store.close();
  return url;
}

const violations = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM violation ORDER BY id').all();
  } finally {
    db.close();
  }
};

/** Runs the built binary with `stdin` piped in; resolves with its exit code and output. */
function binary(args: string[], stdin?: NodeJS.ReadableStream) {
  assertBuilt();
  const child = spawn(process.execPath, [BINARY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  if (stdin) stdin.pipe(child.stdin);
  else child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    child,
    done: new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    ),
  };
}

describe('fullstop migrate, export and import (SQLite)', () => {
  it('migrates a new SQLite file, then finds it up to date', async () => {
    const db = `sqlite:${join(dir, 'new', 'fresh.db')}`;
    const first = await runCli(['migrate', '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied 001-init\.sql\napplied 002-/);
    const second = await runCli(['migrate'], { env: { FULLSTOP_DB: db } });
    expect(second).toMatchObject({ code: 0, stdout: '', stderr: 'the database is up to date\n' });
  });

  it('exports to stdout and imports from a file, with a summary on stderr', async () => {
    const from = await sqliteStore('from.db');
    const exported = await runCli(['export', '--db', from]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(
      /^exported 36 records: 33 violation_type, 1 rule, 0 app_version, 2 violation, 0 lifecycle, 0 processed_file, 0 ingest_failure, 0 pending_evaluation\n$/,
    );
    const file = join(dir, 'export.ndjson');
    writeFileSync(file, exported.stdout);
    const imported = await runCli(['import', file, '--db', `sqlite:${join(dir, 'to.db')}`]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('violation       2 read, 2 added, 0 already there');
    expect(violations(join(dir, 'to.db'))).toEqual(violations(join(dir, 'from.db')));
    const again = await runCli(['import', file, '--db', `sqlite:${join(dir, 'to.db')}`]);
    expect(again.stderr).toContain('violation       2 read, 0 added, 2 already there');
  });

  it('fails clearly: unsupported URLs, a missing file, an input that is not an export, a bad config', async () => {
    expect(await runCli(['export', '--db', 'mysql://x'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: unsupported database URL 'mysql:\/\/x'/),
    });
    expect((await runCli(['export', '--db', `sqlite:${join(dir, 'nope.db')}`])).stderr).toMatch(
      /no SQLite database at/,
    );
    const notExport = join(dir, 'not-export.ndjson');
    writeFileSync(notExport, '{"hello":"world"}\n');
    const bad = await runCli(['import', notExport, '--db', `sqlite:${join(dir, 'bad.db')}`]);
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/nothing was imported .*line 1: not a fullstop export/),
    });
    writeFileSync(join(dir, 'bad.yaml'), 'db: [1\n');
    expect((await runCli(['migrate', '--config', join(dir, 'bad.yaml')])).code).toBe(2);
  });
});

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('fullstop migrate, export and import (PostgreSQL)'), () => {
  it('migrates a fresh schema once, for deploy pipelines', async () => {
    const schema = testSchema();
    schemas.push(schema);
    const first = await runCli(['migrate', '--db', schema.url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual(migrationFiles().map((f) => `applied ${f.name}`));
    expect(await runCli(['migrate', '--db', schema.url])).toMatchObject({ code: 0, stdout: '' });
  });

  it('pipes SQLite → PostgreSQL → SQLite with the binary, as the README shows', async () => {
    const from = await sqliteStore('pipe-from.db');
    const schema = testSchema();
    schemas.push(schema);
    const out = binary(['export', '--db', from]);
    const into = binary(['import', '--db', schema.url], out.child.stdout);
    expect((await out.done).code).toBe(0);
    const imported = await into.done;
    expect(imported.code, imported.stderr).toBe(0);
    const back = binary(['export', '--db', schema.url]);
    const to = binary(['import', '-', '--db', `sqlite:${join(dir, 'pipe-to.db')}`], back.child.stdout);
    expect((await back.done).code).toBe(0);
    expect((await to.done).code).toBe(0);
    expect(violations(join(dir, 'pipe-to.db'))).toEqual(violations(join(dir, 'pipe-from.db')));
  }, 30_000);

  it('names the database in errors without its password', async () => {
    const result = await runCli(['export', '--db', 'postgres://fullstop:s3cret@127.0.0.1:1/fullstop']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('postgres://fullstop:***@127.0.0.1:1/fullstop');
    expect(result.stderr).not.toContain('s3cret');
  });
});
