import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
}

// fullstop supports Node 20. npm only warns (EBADENGINE) when a dependency wants a newer Node, and such a
// package may still crash at run time (better-sqlite3 13 does), so every locked package must accept Node 20.
describe('package-lock.json', () => {
  const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
    packages: Record<string, LockedPackage>;
  };

  it('every locked package supports Node 20', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, pkg]) => {
      const range = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
      if (path === '' || range === undefined) return [];
      return semver.satisfies('20.20.0', range) ? [] : [`${path}@${pkg.version}: node ${range}`];
    });
    expect(refusing).toEqual([]);
  });
});
