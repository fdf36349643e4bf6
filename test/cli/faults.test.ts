/**
 * The client fault matrix: `types`, `list-violations` and `resolve-violations` (batch endpoint, and one request per
 * violation as against the original server) run in-process against the real `fullstop server` behind a
 * fault-injecting peer. Each cell checks the exit code, the message, how often the request was sent (reads are
 * retried, a resolution whose answer was lost never is), what the store holds, and that a rerun against the healed
 * peer finishes the job with every violation resolved exactly once. The matrix is printed at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultPeer, type Fault, type FaultPeer, type LogEntry, type PeerRequest } from '../helpers/fault-peer.js';
import { runCli, type RunResult } from '../helpers/run-cli.js';
import { startSeededServer, type SeededServer } from '../helpers/seeded-server.js';

type Status = 'resolved' | 'failed' | 'unknown';

interface Cell {
  code: number;
  /** The error message (the reason of each item for a resolution); `URL` stands for the peer's URL. */
  error: RegExp;
  /** How many times the faulty request was sent (per violation for the single route). */
  sends: number;
}

interface ResolveCell extends Cell {
  status: Status;
  /** Whether the server resolved the violations although the client saw the fault. */
  applied: boolean;
}

interface Row {
  name: string;
  fault: Fault | 'ctrl-c';
  read: Cell;
  batch: ResolveCell;
  /** Where the single route differs from the batch. */
  single?: Partial<ResolveCell>;
}

const MAYBE = '; it may or may not have been applied$';
const CLOSED_EARLY = 'URL closed the connection without answering \\(other side closed\\)';
const CUT = 'URL closed the connection before the answer was complete \\(other side closed\\)';
const RESET = 'URL closed the connection before the answer was complete \\(ECONNRESET\\)';
const unknown = (reason: string, applied: boolean): ResolveCell => ({
  code: 1,
  status: 'unknown',
  applied,
  error: new RegExp(`^${reason}${MAYBE}`),
  sends: 1,
});
const failed = (reason: string, sends = 1, code = 1): ResolveCell => ({
  code,
  status: 'failed',
  applied: false,
  error: new RegExp(`^${reason}$`),
  sends,
});

const ROWS: Row[] = [
  {
    name: 'drop before passing on',
    fault: 'drop',
    read: { code: 1, error: new RegExp(`^${CLOSED_EARLY}$`), sends: 4 },
    batch: unknown(CLOSED_EARLY, false),
  },
  {
    name: 'drop after passing on',
    fault: 'drop-after',
    read: { code: 1, error: new RegExp(`^${CLOSED_EARLY}$`), sends: 4 },
    batch: unknown(CLOSED_EARLY, true),
  },
  {
    name: 'no answer (beyond --timeout 1)',
    fault: 'stall',
    read: { code: 1, error: /^no answer from URL within 1 s$/, sends: 1 },
    batch: unknown('no answer from URL within 1 s', false),
  },
  {
    name: 'half a body, then silence',
    fault: 'stall-body',
    read: { code: 1, error: /^the answer from URL was not complete within 1 s$/, sends: 1 },
    batch: unknown('the answer from URL was not complete within 1 s', true),
  },
  {
    name: 'Content-Length > body, close',
    fault: 'half-body',
    read: { code: 1, error: new RegExp(`^${CUT}$`), sends: 4 },
    batch: unknown(CUT, true),
  },
  {
    name: 'chunked body cut off',
    fault: 'cut-chunked',
    read: { code: 1, error: new RegExp(`^${CUT}$`), sends: 4 },
    batch: unknown(CUT, true),
  },
  {
    name: 'TCP reset mid-body',
    fault: 'reset',
    read: { code: 1, error: new RegExp(`^${RESET}$`), sends: 4 },
    batch: unknown(RESET, true),
  },
  {
    name: '200 with invalid JSON',
    fault: 'invalid-json',
    read: {
      code: 1,
      error: /^GET URL\/\S+: the server's answer for the \S+ \S+ ends mid-way \(cut off\?\)$/,
      sends: 1,
    },
    batch: unknown(
      "POST URL/api/violations/resolutions: the server's answer for the batch resolution ends mid-way \\(cut off\\?\\)",
      true,
    ),
    // The single route's 200 is the answer: its body (the updated violation) is not read.
    single: { code: 0, status: 'resolved', error: /^$/ },
  },
  {
    name: '500',
    fault: { status: 500, body: '{"message":"boom"}' },
    read: { code: 1, error: /^GET URL\/\S+: 500 internal server error: boom$/, sends: 1 },
    batch: failed('500 internal server error: boom'),
  },
  {
    name: '502 from a gateway',
    fault: { status: 502, body: '<html>Bad Gateway</html>' },
    read: { code: 1, error: /^GET URL\/\S+: 502 bad gateway$/, sends: 4 },
    batch: unknown('502 bad gateway', false),
  },
  {
    name: '503',
    fault: { status: 503 },
    read: { code: 1, error: /^GET URL\/\S+: 503 service unavailable$/, sends: 4 },
    batch: failed('503 service unavailable', 4),
  },
  {
    name: '401',
    fault: { status: 401, body: '{"error":"invalid_token","error_description":"Access token expired"}' },
    read: { code: 4, error: /^GET URL\/\S+: 401 invalid_token: Access token expired$/, sends: 1 },
    batch: failed('401 invalid_token: Access token expired', 1, 4),
  },
  {
    name: '403',
    fault: { status: 403 },
    read: { code: 4, error: /^GET URL\/\S+: 403 forbidden$/, sends: 1 },
    // Refused for these violations only: a failed item, exit 1, as any failed item of a batch.
    batch: failed('403 forbidden'),
  },
  {
    name: 'Ctrl-C while waiting',
    fault: 'ctrl-c',
    read: { code: 130, error: /^interrupted$/, sends: 1 },
    batch: { ...unknown('interrupted', false), code: 130 },
  },
];

const COMMENT = 'fault matrix: approved';
let server: SeededServer;
let peer: FaultPeer;
const matrix: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  server = await startSeededServer();
  peer = await startFaultPeer({ upstream: server.url });
});

afterAll(async () => {
  await peer?.close();
  expect(await server?.stop()).toBe(0);
  const columns = ['types', 'list-violations', 'resolve (batch)', 'resolve (single)'];
  const table = [
    ['fault', ...columns],
    ...ROWS.map((row) => [row.name, ...columns.map((c) => matrix[row.name]?.[c] ?? '')]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  const lines = table.map((cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd(),
  );
  console.log(
    "Client fault matrix: exit code and sends; for resolutions the items' status, whether the server applied them,\n" +
      `the exit code, sends per violation, and the rerun against the healed peer\n${lines.join('\n')}`,
  );
});

function note(row: Row, column: string, text: string): void {
  (matrix[row.name] ??= {})[column] = text;
}

function pattern(cell: Cell): RegExp {
  return new RegExp(cell.error.source.replaceAll('URL', peer.url.replace(/[.]/g, '\\.')));
}

/**
 * Serves `target` requests with the row's fault, the others as `base` says. Ctrl-C: no answer, and the user
 * interrupts once `inFlight` target requests have arrived.
 */
function inject(
  row: Row,
  target: (request: PeerRequest) => boolean,
  base?: (request: PeerRequest) => Fault | undefined,
  inFlight = 1,
) {
  const interrupt = new AbortController();
  let arrived = 0;
  peer.setFault((request) => {
    if (!target(request)) return base?.(request);
    if (row.fault !== 'ctrl-c') return row.fault;
    if (++arrived === inFlight) setTimeout(() => interrupt.abort(), 20);
    return 'stall';
  });
  return row.fault === 'ctrl-c' ? { signal: interrupt.signal } : {};
}

function sends(since: number, target: (entry: LogEntry) => boolean): number {
  return peer.log.slice(since).filter(target).length;
}

async function run(argv: string[], options = {}): Promise<RunResult> {
  return runCli(argv, { ...options, env: { FULLSTOP_URL: peer.url, NO_COLOR: '1' } });
}

describe.each(ROWS)('$name', (row) => {
  it.each([
    ['types', ['types', '-o', 'json'], '/api/violation-types'],
    ['list-violations', ['list-violations', '-o', 'json'], '/api/violations'],
  ])('%s', async (column, argv, path) => {
    const target = (r: { method: string; path: string }) => r.method === 'GET' && r.path === path;
    const since = peer.log.length;
    const r = await run([...argv, '--timeout', '1'], inject(row, target));
    const count = sends(since, target);
    note(row, column, `exit ${r.code}, ${count} send${count > 1 ? 's' : ''}`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(row.read.code);
    const [first] = r.stderr.split('\n');
    expect(first).toMatch(/^error: /);
    expect(first!.slice('error: '.length)).toMatch(pattern(row.read));
    expect(r.stderr).not.toContain('unexpected');
    expect(count).toBe(row.read.sends);
  });

  it.each([
    ['resolve (batch)', false],
    ['resolve (single)', true],
  ])('%s', async (column, single) => {
    const cell: ResolveCell = { ...row.batch, ...(single ? row.single : {}) };
    const { ids } = await server.seed(3);
    const isResolution = (r: { method: string; path: string; body?: string }) =>
      r.method === 'POST' &&
      (single ? /^\/api\/violations\/\d+\/resolution$/.test(r.path) : r.path === '/api/violations/resolutions');
    // The original server has no batch endpoint: Spring answers 405 for its path.
    const original = (r: PeerRequest): Fault | undefined =>
      single && r.path === '/api/violations/resolutions' ? { status: 405 } : undefined;
    const target = (r: PeerRequest) => isResolution(r) && (single || r.body.includes(`${ids[0]}`));
    const argv = ['resolve-violations', '-i', ids.join(','), '-o', 'json', '--timeout', '1', COMMENT];

    const since = peer.log.length;
    const r = await run(argv, inject(row, target, original, single ? ids.length : 1));
    const count = sends(
      since,
      (entry) => isResolution(entry) && entry.body !== '{"ids":[],"comment":"capability probe"}',
    );
    const perViolation = single ? count / ids.length : count;
    expect(r.code).toBe(cell.code);
    const results = JSON.parse(r.stdout) as Array<{ id: number; status: string; error?: string }>;
    expect(results.map((x) => [x.id, x.status])).toEqual(ids.map((id) => [id, cell.status]));
    for (const result of results) expect(result.error ?? '').toMatch(pattern(cell));
    for (const id of ids) {
      if (cell.status === 'resolved') expect(r.stderr).toContain(`resolved ${id} (`);
      else expect(r.stderr).toMatch(new RegExp(`^${cell.status} ${id} \\(\\d{12}/eu-west-1 WRONG_REGION\\): `, 'm'));
    }
    expect(perViolation).toBe(cell.sends);
    const stored = await server.violations(ids);
    expect(stored.map((v) => v.comment !== null)).toEqual(ids.map(() => cell.applied));

    // The peer heals (the single route's server still has no batch endpoint): a rerun finishes the job.
    peer.setFault(original);
    const rerun = await run(argv);
    expect(rerun.code, rerun.stderr).toBe(0);
    const expected = cell.applied ? { status: 'skipped', error: 'already resolved' } : { status: 'resolved' };
    expect(JSON.parse(rerun.stdout)).toEqual(ids.map((id) => ({ id, ...expected })));
    // Exactly once: each resolution bumps the version, from 0.
    const final = await server.violations(ids);
    expect(final.map((v) => [v.comment, v.version, v.last_modified_by])).toEqual(ids.map(() => [COMMENT, 1, 'local']));
    note(
      row,
      column,
      `${cell.status}, ${cell.applied ? 'applied' : 'not applied'}, exit ${r.code}, ${perViolation}×, rerun ok`,
    );
  });
});
