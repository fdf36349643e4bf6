// Builds dist/ with esbuild (transpile only: type checking is `npm run typecheck`, which `npm test` runs too)
// and copies the non-TypeScript assets (SQL migrations, JSON data) beside the code.
import { build } from 'esbuild';
import { cpSync, rmSync, readdirSync, readFileSync, mkdirSync, chmodSync, existsSync } from 'node:fs';
import { join, dirname, extname, relative, resolve, sep } from 'node:path';
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
const entryPoints = sources.filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.contract.ts') && !f.endsWith('.d.ts'),
);

const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const define = { __FULLSTOP_VERSION__: JSON.stringify(version) };

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: dist,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  define,
});

for (const file of sources) {
  if (extname(file) === '.sql' || extname(file) === '.json') {
    const target = join(dist, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}
// The executable is two files. dist/bin/fullstop.js is a tiny launcher that answers `--version` itself (the
// version inlined below) and otherwise imports dist/bin/cli.js: the CLI bundled (src/cli + src/client +
// commander) and split so each command's heavy parts load only when it runs. Both measurably shorten start-up
// (README, "Performance"). The server stays out of the bundle: the `server`/`ingest` commands reach the
// transpiled dist/src/server through their dynamic import(), and npm packages other than commander and undici load
// from node_modules as usual.
const binDir = join(dist, 'bin');
const serverSrc = join(root, 'src', 'server') + sep;
await build({
  entryPoints: { cli: join(root, 'src', 'cli', 'run.ts') },
  outdir: binDir,
  bundle: true,
  splitting: true,
  // Chunks sit beside the entry, so one relative path to dist/src/server is right from every output file.
  chunkNames: '[name]-[hash]',
  // Without comments and blanks the bundle is half the size, and V8 compiles it at start-up in proportion.
  minifyWhitespace: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  define,
  // commander is CommonJS: bundled into ESM it needs a require().
  banner: {
    js: "import { createRequire as __fullstopRequire } from 'node:module'; const require = __fullstopRequire(import.meta.url);",
  },
  plugins: [
    {
      name: 'fullstop-externals',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          if (args.path.startsWith('.')) {
            const target = resolve(args.resolveDir, args.path);
            if (!target.startsWith(serverSrc)) return undefined;
            return { path: relative(binDir, join(dist, relative(root, target))), external: true };
          }
          // undici's request API and pool (src/client/transport.ts): one chunk loads faster than its 25 files.
          if (args.path === 'commander' || args.path.startsWith('undici/')) return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});
await build({
  entryPoints: [join(root, 'bin', 'fullstop.ts')],
  outdir: binDir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  define,
  plugins: [
    {
      name: 'fullstop-launcher',
      setup(b) {
        // The launcher's one import of the CLI is the bundle built above.
        b.onResolve({ filter: /\/src\/cli\/run\.js$/ }, () => ({ path: './cli.js', external: true }));
      },
    },
  ],
});

const bin = join(dist, 'bin/fullstop.js');
if (existsSync(bin)) chmodSync(bin, 0o755);
