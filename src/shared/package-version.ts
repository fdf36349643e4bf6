/**
 * The package version: inlined by the build (scripts/build.mjs), else read from the package.json above this
 * module (tests run the sources). The one file read of src/shared, and only when not built.
 */
import { readFileSync } from 'node:fs';

declare const __FULLSTOP_VERSION__: string | undefined;

function readPackageVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fullstop' && pkg.version) return pkg.version;
    } catch {
      // not here: keep walking up
    }
    dir = new URL('..', dir);
  }
  return 'unknown';
}

/** Returns the version of the fullstop package, e.g. `0.1.0`. */
export function packageVersion(): string {
  // The build inlines it so start-up reads no file; tests and `tsx` runs read package.json.
  return typeof __FULLSTOP_VERSION__ === 'string' ? __FULLSTOP_VERSION__ : readPackageVersion();
}
