// Compiles TypeScript into dist/ and copies the non-TypeScript assets (SQL migrations, JSON data) beside it.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, readdirSync, statSync, mkdirSync, chmodSync } from 'node:fs';
import { join, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});

const ASSETS = new Set(['.sql', '.json']);
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSETS.has(extname(name))) {
      const target = join(dist, path.slice(root.length + 1));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
copyAssets(join(root, 'src'));
chmodSync(join(dist, 'bin/fullstop.js'), 0o755);
