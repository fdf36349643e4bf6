import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const insideRoot = (path: string): boolean => path === root || path.startsWith(`${root}/`);

// A user's clone holds nothing but the repository: a test, script or benchmark that reads a path outside it
// passes here and fails there. This catches the two ways that happened: an absolute path into the workplace,
// and a relative path that climbs out of the clone to a sibling folder.
describe('repository boundary', () => {
  const files = execFileSync('git', ['ls-files', 'test', 'bench', 'scripts', '.ci'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => /\.(ts|mjs|js|sh|py|json)$/.test(file) && !file.startsWith('test/fixtures/'));

  it('lists the files it checks', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it('no file names a path outside the clone', () => {
    const offenders = files.flatMap((file) => {
      if (file === 'test/repository-boundary.test.ts') return [];
      const text = readFileSync(join(root, file), 'utf8');
      const absolute = /['"`](\/work\/[^'"`]*)/.exec(text)?.[1];
      if (absolute !== undefined) return [`${file}: ${absolute}`];
      const climbing = [...text.matchAll(/['"`]((?:\.\.\/)+[^'"`]*)['"`]/g)]
        .map((match) => match[1]!)
        .filter((path) => !insideRoot(resolve(dirname(join(root, file)), path)));
      return climbing.map((path) => `${file}: ${path}`);
    });
    expect(offenders).toEqual([]);
  });
});
