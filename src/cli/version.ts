/** The package version, read from the package.json above this module (the same in src/ and dist/, bundled or not). */
import { readFileSync } from 'node:fs';

/** Returns the `version` of the nearest package.json named `fullstop` above this module. */
export function packageVersion(): string {
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
