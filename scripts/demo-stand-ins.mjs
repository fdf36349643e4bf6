#!/usr/bin/env node
// DEMO STAND-INS, not the real systems: local HTTP servers on random loopback ports that answer as AWS EC2/STS
// (query protocol, reached through AWS_ENDPOINT_URL), Kio and Pier One would, for the made-up world of
// scripts/demo-world.mjs. `npm run demo` and the ingest benchmark use them; the tests use the same stand-ins
// (test/helpers/*-stand-in.ts), which this script bundles with esbuild when it starts rather than copying them.
//
//   node scripts/demo-stand-ins.mjs --accounts 111111111111,… [--delay-ms 20] [--config-out fullstop.yaml]
//
// prints one JSON line ({"aws", "kio", "pierone", "env"}) when they listen, writes a fullstop config file whose
// `rules` and `enrichment` sections use them (--config-out), and runs until SIGINT or SIGTERM.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { APPLICATIONS, IMAGES, applicationOf, enrichmentConfig, imageOf, userData } from './demo-world.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const ENTRY = `
export { startAwsStandIn } from './test/helpers/aws-stand-in.ts';
export { startKioStandIn } from './test/helpers/kio-stand-in.ts';
export { startPieroneStandIn } from './test/helpers/pierone-stand-in.ts';
`;

/** The tests' stand-ins, bundled in memory (they import nothing but Node's own modules). */
async function loadStandIns() {
  const { build } = await import('esbuild');
  const { outputFiles } = await build({
    stdin: { contents: ENTRY, resolveDir: root, sourcefile: 'demo-stand-ins-entry.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

/** Instances answered from their id (demo-world.mjs), so any instance the generator launched is known. */
class WorldInstances extends Map {
  get(instanceId) {
    if (typeof instanceId !== 'string' || !instanceId.startsWith('i-')) return undefined;
    const application = applicationOf(instanceId);
    return { imageId: imageOf(instanceId), ...(application ? { userData: userData(application) } : {}) };
  }

  has(instanceId) {
    return this.get(instanceId) !== undefined;
  }
}

/**
 * Starts the three stand-ins for `accounts` (each with the role `fullstop` to assume, the world's AMIs and
 * instances); every answer waits `delayMs` first.
 */
export async function startDemoStandIns({ accounts, delayMs = 0 }) {
  const { startAwsStandIn, startKioStandIn, startPieroneStandIn } = await loadStandIns();
  const [aws, kio, pierone] = await Promise.all([startAwsStandIn(), startKioStandIn(), startPieroneStandIn()]);
  const instances = new WorldInstances();
  for (const id of accounts) {
    const account = aws.account(id);
    account.roles.set('fullstop', {});
    for (const [imageId, { name, owner }] of Object.entries(IMAGES))
      account.images.set(imageId, { name, ownerId: owner });
    account.instances = instances;
  }
  for (const application of APPLICATIONS) {
    if (application.id === null) continue;
    if (application.kio) kio.apps.set(application.id, { name: application.id, ...application.kio });
    const [, team, artifact, tag] = /^[^/]+\/([^/]+)\/([^:]+):(.+)$/.exec(application.source);
    if (application.scm) pierone.addTag(team, artifact, tag, application.scm);
  }
  if (delayMs > 0) for (const standIn of [aws, kio, pierone]) standIn.fault('*', { delayMs });
  return {
    aws,
    kio,
    pierone,
    /** What `fullstop` needs in its environment to reach the AWS stand-in with credentials it accepts. */
    env: {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: aws.callerCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.callerCredentials.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    config: enrichmentConfig({ kioUrl: kio.url, pieroneUrl: pierone.url }),
    close: () => Promise.all([aws.close(), kio.close(), pierone.close()]),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: args } = parseArgs({
    options: {
      accounts: { type: 'string' },
      'delay-ms': { type: 'string', default: '0' },
      'config-out': { type: 'string' },
    },
  });
  if (!args.accounts) {
    process.stderr.write('demo-stand-ins: --accounts ID,… is required\n');
    process.exit(2);
  }
  const standIns = await startDemoStandIns({
    accounts: args.accounts.split(','),
    delayMs: Number(args['delay-ms']),
  });
  if (args['config-out']) writeFileSync(args['config-out'], standIns.config);
  process.stdout.write(
    `${JSON.stringify({ aws: standIns.aws.url, kio: standIns.kio.url, pierone: standIns.pierone.url, env: standIns.env })}\n`,
  );
  const stop = () => standIns.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
