#!/usr/bin/env node
// `npm run demo`: the whole loop on the embedded default. Generates CloudTrail logs, starts a local server on
// SQLite (no auth, loopback only), ingests the logs, lists the violations with the CLI, resolves one, and
// leaves the server running with its URL printed (Ctrl-C stops it). `npm run demo -- --exit` stops after the
// walkthrough (for CI). Everything lives in ./.demo; delete it to start over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    exit: { type: 'boolean', default: false },
    dir: { type: 'string' },
    port: { type: 'string', default: '0' },
  },
});
const dir = args.dir ?? join(root, '.demo');
const bin = join(root, 'dist/bin/fullstop.js');
const logs = join(dir, 'logs');
const db = `sqlite:${join(dir, 'fullstop.db')}`;

const say = (text) =>
  process.stderr.write(
    `\n\x1b[1m==> ${text}\x1b[0m\n`.replace(
      /\x1b\[[0-9;]*m/g,
      process.stderr.isTTY && !process.env.NO_COLOR ? '$&' : '',
    ),
  );

/** Quotes an argument the way a user would type it, so each printed command can be copied into a shell. */
const shellQuote = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

function run(command, commandArgs, env = {}) {
  const shown = [command === process.execPath ? 'node' : command, ...commandArgs]
    .map((a) => a.replace(root + '/', ''))
    .map(shellQuote)
    .join(' ');
  process.stderr.write(`$ ${shown.replace('node dist/bin/fullstop.js', 'fullstop')}\n`);
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${shown} exited with ${result.status ?? result.signal}`);
}

function capture(commandArgs, env) {
  const result = spawnSync(process.execPath, [bin, ...commandArgs], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (result.status !== 0)
    throw new Error(`fullstop ${commandArgs.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return result.stdout;
}

/** Starts `fullstop server` and resolves with its URL, read from the server's first log line. */
function startServer() {
  const server = spawn(
    process.execPath,
    [bin, 'server', '--no-auth', '--host', '127.0.0.1', '--port', args.port, '--db', db],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FULLSTOP_LOG_LEVEL: 'info' },
    },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: server.stdout });
    const timer = setTimeout(() => reject(new Error('the server did not start within 20 s')), 20_000);
    server.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    lines.on('line', (line) => {
      const match = /"url":"(http:[^"]+)"/.exec(line) ?? /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve({ server, url: match[1] });
      }
    });
  });
}

async function main() {
  if (!existsSync(bin)) run('npm', ['run', 'build']);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(logs, '.manifest.json'))) {
    say('Generating CloudTrail logs: 3 accounts, 3 regions, 2 % violating events');
    rmSync(logs, { recursive: true, force: true });
    run(process.execPath, [
      join(root, 'scripts/generate-cloudtrail.mjs'),
      '--out',
      logs,
      '--records',
      '20000',
      '--seed',
      '42',
    ]);
  }

  say('Starting the fullstop server on SQLite (no auth, loopback only)');
  const { server, url } = await startServer();
  const stop = () => server.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const cli = {
    FULLSTOP_URL: url,
    FULLSTOP_CONFIG_DIR: join(dir, 'config'),
    FULLSTOP_TOKEN: 'demo-token-not-checked-with-no-auth',
  };
  try {
    say(`Ingesting the logs (fullstop ingest, into the server's database)`);
    run(process.execPath, [bin, 'ingest', logs, '--db', db]);

    const accounts = '111111111111,111212121212,111313131313';
    say('Listing open violations (fullstop list-violations)');
    run(process.execPath, [bin, 'list-violations', '--accounts', accounts, '--since', '1d', '--limit', '10'], cli);

    const [first] = JSON.parse(
      capture(
        ['list-violations', '--accounts', accounts, '--type', 'CLOUDTRAIL_TAMPERING', '--limit', '1', '-o', 'json'],
        cli,
      ),
    );
    if (first) {
      say(`Resolving violation ${first.id} (${first.violation_type.id}) with a comment`);
      run(
        process.execPath,
        [bin, 'resolve-violations', 'demo: trail restarted, the change was approved', '-i', String(first.id)],
        cli,
      );
      run(
        process.execPath,
        [bin, 'list-violations', '--accounts', accounts, '--all', '--type', 'CLOUDTRAIL_TAMPERING', '--limit', '3'],
        cli,
      );
    }
  } catch (error) {
    stop();
    throw error;
  }

  if (args.exit) {
    stop();
    await new Promise((resolve) => server.on('exit', resolve));
    say('Demo complete');
    return;
  }
  say(`The server keeps running at ${url} (Ctrl-C stops it). Try:`);
  process.stderr.write(
    `  FULLSTOP_URL=${url} FULLSTOP_TOKEN=x node dist/bin/fullstop.js list-violations --accounts 111111111111 -t WRONG_REGION\n  curl ${url}/api/violation-types\n`,
  );
  await new Promise((resolve) => server.on('exit', resolve));
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exitCode = 1;
});
