#!/usr/bin/env node
// `npm run demo`: the whole loop on the embedded default. Generates CloudTrail logs, starts the demo stand-ins
// for EC2/STS, Kio and Pier One (scripts/demo-stand-ins.mjs: local servers, not the real systems) and a local
// server on SQLite (no auth, loopback only) whose config has them looked up, ingests the logs with enrichment,
// lists violations and lifecycles with the CLI, resolves some, and leaves the server running with its URL printed
// (Ctrl-C stops it). `npm run demo -- --exit` stops after the walkthrough (for CI). Everything lives in ./.demo;
// delete it to start over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IMAGES } from './demo-world.mjs';

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
const config = join(dir, 'fullstop.yaml');
const accounts = '111111111111,111212121212,111313131313';

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

/**
 * Starts the demo stand-ins in a process of their own (this one blocks while a command runs) and resolves with
 * the environment that points the AWS SDK at them; they write the config file that points fullstop at them.
 */
function startStandIns() {
  const standIns = spawn(
    process.execPath,
    [join(root, 'scripts/demo-stand-ins.mjs'), '--accounts', accounts, '--config-out', config],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    standIns.on('exit', (code) => reject(new Error(`the demo stand-ins exited with ${code}`)));
    createInterface({ input: standIns.stdout }).once('line', (line) => {
      const { aws, kio, pierone, env } = JSON.parse(line);
      resolve({ standIns, env, urls: { aws, kio, pierone } });
    });
  });
}

/** Starts `fullstop server` and resolves with its URL, read from the server's first log line. */
function startServer(awsEnv) {
  const server = spawn(
    process.execPath,
    [bin, 'server', '--no-auth', '--host', '127.0.0.1', '--port', args.port, '--db', db, '--config', config],
    {
      // Warnings only: the rules that are off, look-up failures, errors.
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...awsEnv, FULLSTOP_LOG_LEVEL: 'info' },
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

  say('Starting the demo stand-ins for EC2/STS, Kio and Pier One (local servers, not the real systems)');
  const { standIns, env: awsEnv, urls } = await startStandIns();
  process.stderr.write(`EC2/STS ${urls.aws}  Kio ${urls.kio}  Pier One ${urls.pierone}\n`);
  say('Starting the fullstop server on SQLite (no auth, loopback only), looking facts up in the stand-ins');
  const { server, url } = await startServer(awsEnv).catch((error) => {
    standIns.kill('SIGTERM');
    throw error;
  });
  const stop = () => {
    server.kill('SIGTERM');
    standIns.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const cli = {
    FULLSTOP_URL: url,
    FULLSTOP_CONFIG_DIR: join(dir, 'config'),
    FULLSTOP_TOKEN: 'demo-token-not-checked-with-no-auth',
  };
  try {
    say(`Ingesting the logs with enrichment (fullstop ingest --config, into the server's database)`);
    run(process.execPath, [bin, 'ingest', logs, '--db', db, '--config', config], awsEnv);

    say('Listing open violations (fullstop list-violations)');
    run(process.execPath, [bin, 'list-violations', '--accounts', accounts, '--since', '1d', '--limit', '10'], cli);

    const unapproved = IMAGES['ami-0b0b0b0b0b0b0b0b0'].name;
    say('Instances launched from an unapproved AMI (enrichment looked the AMI up in EC2)');
    run(
      process.execPath,
      [bin, 'list-violations', '--accounts', accounts, '-t', 'WRONG_AMI', '-m', `ami_name=${unapproved}`, '-l', '5'],
      cli,
    );
    say("Violations of the application kio, versions 1.0 and 1.1 (from the instances' Taupage user data)");
    run(
      process.execPath,
      [
        bin,
        'list-violations',
        '--accounts',
        accounts,
        '--applications',
        'kio',
        '--application-versions',
        '1.0,1.1',
        '-l',
        '5',
      ],
      cli,
    );
    say('When kio 1.1 ran: its lifecycle (fullstop lifecycle)');
    run(process.execPath, [bin, 'lifecycle', 'kio', '1.1', '-l', '5'], cli);
    say('Resolving the WRONG_AMI violations of that AMI with a comment');
    run(
      process.execPath,
      [
        bin,
        'resolve-violations',
        '--accounts',
        accounts,
        '-t',
        'WRONG_AMI',
        '-m',
        `ami_name=${unapproved}`,
        'demo: Ubuntu build hosts, approved by security (SEC-42)',
      ],
      cli,
    );

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
    await Promise.all([server, standIns].map((child) => new Promise((resolve) => child.on('exit', resolve))));
    say('Demo complete');
    return;
  }
  say(`The server keeps running at ${url} (Ctrl-C stops it). Try:`);
  process.stderr.write(
    `  FULLSTOP_URL=${url} FULLSTOP_TOKEN=x node dist/bin/fullstop.js list-violations --accounts 111111111111 -t WRONG_REGION\n` +
      `  FULLSTOP_URL=${url} FULLSTOP_TOKEN=x node dist/bin/fullstop.js lifecycle shop\n` +
      `  curl ${url}/api/violation-types ${url}/health\n`,
  );
  await new Promise((resolve) => server.on('exit', resolve));
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exitCode = 1;
});
