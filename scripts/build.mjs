// Builds dist/ with esbuild (transpile only: type checking is `npm run typecheck`, which `npm test` runs too)
// and copies the non-TypeScript assets (SQL migrations, JSON data) beside the code.
import { build } from 'esbuild';
import { cpSync, rmSync, readdirSync, mkdirSync, chmodSync, existsSync } from 'node:fs';
import { join, dirname, extname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const sources = [...walk(join(root, 'bin')), ...walk(join(root, 'src'))];
const entryPoints = sources.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.contract.ts'));

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: dist,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});

for (const file of sources) {
  if (extname(file) === '.sql' || extname(file) === '.json') {
    const target = join(dist, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}
const bin = join(dist, 'bin/fullstop.js');
if (existsSync(bin)) chmodSync(bin, 0o755);
