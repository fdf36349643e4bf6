import { readFileSync } from 'node:fs';

/** The package version, for the OpenAPI document; read once from package.json (two levels above src/ and dist/src/). */
export function packageVersion(): string {
  for (const path of ['../../../package.json', '../../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'fullstop' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}
