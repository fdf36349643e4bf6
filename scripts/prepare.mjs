// Runs on `npm install` and on `npm install -g .`. The global form only links this folder (npm >= 7) and installs
// none of its dependencies, so from a fresh clone there would be no esbuild to build with and no libraries for the
// installed command: install them here first. The nested `npm install` runs this script again, which then builds.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = existsSync(join(root, 'node_modules/.package-lock.json'));

if (!installed && !process.env.FULLSTOP_PREPARE_NESTED) {
  process.stderr.write('fullstop: installing dependencies before the build\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FULLSTOP_PREPARE_NESTED: '1', npm_config_global: 'false' },
  });
} else {
  await import('./build.mjs');
}
