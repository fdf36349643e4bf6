/**
 * Shell completion in the real shells: the generated bash script is loaded into bash and driven the way bash
 * drives it (COMP_WORDS/COMP_CWORD, then the function `complete -p` names); fish answers `complete -C`; zsh is
 * driven through a pseudo-terminal (zpty). The scripts call the built `fullstop` for violation types and profiles,
 * so these run it against a local server, an unreachable one, and one that never answers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_URL, javaServer, TOKEN, useMsw } from '../helpers/msw.js';
import { runCli, tempHome } from '../helpers/run-cli.js';

useMsw();

const root = fileURLToPath(new URL('../..', import.meta.url));
const binary = join(root, 'dist/bin/fullstop.js');
const has = (shell: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

let home: string;
let bin: string;
let blackhole: Server;
let blackholeUrl: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  if (!existsSync(binary)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')]);
  home = tempHome();
  bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'fullstop'), `#!/bin/sh\nexec "${process.execPath}" "${binary}" "$@"\n`);
  chmodSync(join(bin, 'fullstop'), 0o755);
  // Accepts connections and never answers: a server that hangs.
  blackhole = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  blackholeUrl = `http://127.0.0.1:${(blackhole.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackhole.close(resolve));
});

async function script(shell: 'bash' | 'zsh' | 'fish'): Promise<string> {
  const r = await runCli(['completion', shell]);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  const path = join(home, `fullstop.${shell}`);
  writeFileSync(path, r.stdout);
  return path;
}

interface ShellRun {
  stdout: string;
  stderr: string;
  ms: number;
}

function shell(command: string, args: string[], env: Record<string, string>): Promise<ShellRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        timeout: 15_000,
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: home, FULLSTOP_CONFIG_DIR: join(home, 'config'), ...env },
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${command} failed: ${stderr}`))
          : resolve({ stdout, stderr, ms: Date.now() - started }),
    );
  });
}

/** Completes `words` (the last one is being typed) with the bash script; returns COMPREPLY. */
async function bash(words: string[], env: Record<string, string> = {}): Promise<string[] & { run?: ShellRun }> {
  const path = await script('bash');
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const run = await shell(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      `source '${path}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; ` +
        `$(complete -p fullstop | sed -E 's/.* -F ([^ ]+) .*/\\1/'); printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    env,
  );
  const reply: string[] & { run?: ShellRun } = run.stdout.split('\n').filter((line) => line !== '');
  reply.run = run;
  return reply;
}

describe('bash completion', () => {
  it('registers a function for fullstop', async () => {
    const path = await script('bash');
    const run = await shell('bash', ['--norc', '--noprofile', '-c', `source '${path}'; complete -p fullstop`], {});
    expect(run.stdout).toBe('complete -F _fullstop fullstop\n');
  });

  it.each([
    [
      ['fullstop', ''],
      [
        'configure',
        'list-violations',
        'resolve-violations',
        'types',
        'show',
        'count',
        'watch',
        'rules',
        'lifecycle',
        'server',
        'ingest',
        'migrate',
        'export',
        'import',
        'completion',
        'help',
      ],
    ],
    [['fullstop', 're'], ['resolve-violations']],
    [
      ['fullstop', 'rules', ''],
      ['list', 'show', 'add', 'update', 'expire'],
    ],
    [['fullstop', '--profile', 'x', 'rules', 'ex'], ['expire']],
    [
      ['fullstop', 'list-violations', '-o', ''],
      ['text', 'json', 'tsv', 'csv', 'ndjson'],
    ],
    [['fullstop', 'list-violations', '--output', '=', 'n'], ['ndjson']],
    [
      ['fullstop', 'watch', '-o', ''],
      ['text', 'ndjson', 'tsv', 'csv'],
    ],
    [
      ['fullstop', 'count', '--by', 'a'],
      ['account', 'application'],
    ],
    [['fullstop', 'rules', 'add', '--ty'], ['--type']],
    [
      ['fullstop', 'rules', 'expire', '--'],
      ['--at', '--output', '--token', '--timeout', '--help', '--profile'],
    ],
    [
      ['fullstop', 'completion', ''],
      ['bash', 'zsh', 'fish'],
    ],
    [
      ['fullstop', 'help', 'ex'],
      ['exit-codes', 'export'],
    ],
    [['fullstop', 'list-violations', '--since', ''], []],
  ])('%j → %j', async (words, expected) => {
    expect([...(await bash(words))]).toEqual(expected);
  });

  it('offers the violation types of the server, also after a comma, and caches them', async () => {
    rmSync(join(home, 'config/cache'), { recursive: true, force: true });
    const server = javaServer();
    const env = { FULLSTOP_URL: BASE_URL, FULLSTOP_TOKEN: TOKEN };
    expect([...(await bash(['fullstop', 'list-violations', '-t', 'WRONG_'], env))]).toEqual([
      'WRONG_AMI',
      'WRONG_REGION',
    ]);
    expect([...(await bash(['fullstop', 'rules', 'add', '--type', 'WRONG_AMI,WRONG_R'], env))]).toEqual([
      'WRONG_AMI,WRONG_REGION',
    ]);
    // The second completion came from the cache: one request in all.
    expect(server.requests.map((q) => new URL(q.url).pathname)).toEqual(['/api/violation-types']);
    const cache = JSON.parse(readFileSync(join(home, 'config/cache/violation-types.json'), 'utf8')) as Record<
      string,
      { types: string[] }
    >;
    expect(cache[BASE_URL]!.types).toContain('UNSECURED_ROOT_USER');
  });

  it('offers the configured profiles, and the types of the profile on the command line', async () => {
    rmSync(join(home, 'config/cache'), { recursive: true, force: true });
    const server = javaServer();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(
      join(home, 'config/config.json'),
      JSON.stringify({ url: 'http://127.0.0.1:9', profiles: { ci: { url: BASE_URL }, prod: { url: blackholeUrl } } }),
    );
    expect([...(await bash(['fullstop', '--profile', '']))]).toEqual(['default', 'ci', 'prod']);
    const types = await bash(['fullstop', '--profile', 'ci', 'list-violations', '-t', 'EC2_W'], {
      FULLSTOP_TOKEN: TOKEN,
    });
    expect([...types]).toEqual(['EC2_WITH_KEYPAIR']);
    expect(server.requests).toHaveLength(1);
  });

  it('answers quickly and silently when the server cannot be reached or never answers', async () => {
    const refused = await bash(['fullstop', 'list-violations', '-t', ''], { FULLSTOP_URL: 'http://127.0.0.1:9' });
    expect([...refused]).toEqual([]);
    expect(refused.run!.stderr).toBe('');

    const hanging = await bash(['fullstop', 'rules', 'add', '--type', ''], {
      FULLSTOP_URL: blackholeUrl,
      FULLSTOP_TOKEN: TOKEN,
    });
    expect([...hanging]).toEqual([]);
    expect(hanging.run!.stderr).toBe('');
    const connections = sockets.length;
    // Node's start-up plus the two-second deadline, with room for a busy machine.
    expect(hanging.run!.ms).toBeLessThan(6_000);
    // The failure is remembered: the next TAB does not wait for the server again.
    const again = await bash(['fullstop', 'rules', 'add', '--type', ''], {
      FULLSTOP_URL: blackholeUrl,
      FULLSTOP_TOKEN: TOKEN,
    });
    expect(again.run!.ms).toBeLessThan(hanging.run!.ms);
    expect(sockets.length).toBe(connections);

    const broken = await bash(['fullstop', 'list-violations', '-t', ''], {
      FULLSTOP_URL: 'not a url',
      FULLSTOP_PROFILE: '%',
    });
    expect([...broken]).toEqual([]);
    expect(broken.run!.stderr).toBe('');
  });
});

describe.skipIf(!has('fish'))('fish completion', () => {
  it.each([
    ['fullstop rules ', ['add', 'expire', 'list', 'show', 'update']],
    ['fullstop list-violations -o ', ['csv', 'json', 'ndjson', 'text', 'tsv']],
    ['fullstop --profile x rules add --ty', ['--type']],
    ['fullstop completion ', ['bash', 'fish', 'zsh']],
  ])('%j → %j', async (line, expected) => {
    const path = await script('fish');
    const run = await shell('fish', ['--no-config', '-c', `source '${path}'; complete -C '${line}'`], {});
    expect(
      run.stdout
        .split('\n')
        .filter(Boolean)
        .map((entry) => entry.split('\t')[0]),
    ).toEqual(expected);
  });
});

describe.skipIf(!has('zsh'))('zsh completion', () => {
  it.each([
    ['fullstop rules ', 'create a rule', /add +-- create a rule|add\s+create a rule/],
    ['fullstop list-violations --output=', 'text', /csv +json +ndjson +text/],
    ['fullstop rules add --ty', 'add --type', /fullstop rules add --type/],
  ])('%j', async (line, awaited, expected) => {
    const path = await script('zsh');
    const driver = join(home, 'drive.zsh');
    // compinit in a pseudo-terminal, a marker once it is loaded, then the line and a TAB; each read blocks until
    // the screen shows what it waits for (the shell's timeout ends a read that waits for ever).
    writeFileSync(
      driver,
      `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PS1=""; autoload -U compinit; compinit -u; source ${path}; print LOADED""MARK'
zpty -r z out '*LOADEDMARK*'
zpty -n -w z "$1"$'\\t'
zpty -r z out "*$2*"
print -r -- "$out"
zpty -d z
`,
    );
    const run = await shell('zsh', ['-f', driver, line, awaited], {});
    // eslint-disable-next-line no-control-regex
    expect(run.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')).toMatch(expected);
  });
});

describe('the violation types cache behind completion', () => {
  const cacheOf = (home: string) => join(home, 'config/cache/violation-types.json');
  const hours = (n: number) => n * 3_600_000;
  const NOW_MS = Date.parse('2024-05-31T12:00:00.000Z');

  it('`fullstop types` fills it; a fresh cache answers without asking the server', async () => {
    const server = javaServer();
    const home = tempHome();
    expect((await runCli(['types'], {}, home)).code).toBe(0);
    const cached = JSON.parse(readFileSync(cacheOf(home), 'utf8')) as Record<string, { fetched_at: number }>;
    expect(cached[BASE_URL]!.fetched_at).toBe(NOW_MS);
    const r = await runCli(['__complete', 'types'], {}, home);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')).toContain('WRONG_AMI');
    expect(server.requests).toHaveLength(1);
  });

  it('asks again after a day, and after a failure not for five minutes', async () => {
    const home = tempHome();
    mkdirSync(join(home, 'config/cache'), { recursive: true });
    const write = (entry: object) => writeFileSync(cacheOf(home), JSON.stringify({ [BASE_URL]: entry }));
    write({ types: ['OLD_TYPE'], fetched_at: NOW_MS - hours(25) });
    let server = javaServer();
    expect((await runCli(['__complete', 'types'], {}, home)).stdout).toContain('WRONG_REGION\n');
    expect(server.requests).toHaveLength(1);

    write({ types: ['OLD_TYPE'], fetched_at: NOW_MS - hours(48), failed_at: NOW_MS - 60_000 });
    server = javaServer();
    expect((await runCli(['__complete', 'types'], {}, home)).stdout).toBe('OLD_TYPE\n');
    expect(server.requests).toHaveLength(0);

    write({ types: ['OLD_TYPE'], failed_at: NOW_MS - hours(1) });
    expect((await runCli(['__complete', 'types'], {}, home)).stdout).toContain('WRONG_REGION\n');
  });

  it('prints nothing, and no error, for an unknown kind, no configured server or a refused token', async () => {
    javaServer();
    expect(await runCli(['__complete', 'nonsense', 'x', '--y'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await runCli(['__complete', 'types'], { bare: true })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(
      await runCli(['__complete', 'types'], { env: { FULLSTOP_TOKEN: 'wrong-0123456789-0123456789-0123' } }),
    ).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});
