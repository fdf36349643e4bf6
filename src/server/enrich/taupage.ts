/**
 * Taupage user data: YAML whose `application_id`, `application_version`, `runtime` and `source` the rules read.
 * As the original (TaupageYamlUtil, Jackson): other keys are ignored; user data that is no YAML mapping, or
 * where one of those keys is a list or a mapping, is no Taupage YAML at all; scalars keep their text
 * (`application_version: 1.10` is "1.10", not 1.1); values are trimmed and blank ones are missing.
 */
import { LRUCache } from 'lru-cache';
import { isMap, isScalar, parseAllDocuments } from 'yaml';
import type { TaupageYaml } from './facts.js';

const FIELDS = ['application_id', 'application_version', 'runtime', 'source'] as const;

/**
 * The instances of one stack version share their user data (Senza writes it once per version), and parsing YAML
 * costs more than the rest of an instance's evaluation: each text is parsed once. `false` stands for "no Taupage
 * YAML". The answers are frozen, so no caller can change what another one gets.
 */
const parsed = new LRUCache<string, TaupageYaml | false>({ max: 2_000 });

export function parseTaupageYaml(userData: string | null): TaupageYaml | null {
  if (userData === null) return null;
  let yaml = parsed.get(userData);
  if (yaml === undefined) parsed.set(userData, (yaml = parse(userData) ?? false));
  return yaml === false ? null : yaml;
}

function parse(userData: string): TaupageYaml | null {
  const [document] = parseAllDocuments(userData);
  if (document === undefined || !('contents' in document) || document.errors.length > 0) return null;
  const root = document.contents;
  if (!isMap(root)) return null;
  const yaml: TaupageYaml = { application_id: null, application_version: null, runtime: null, source: null };
  for (const field of FIELDS) {
    const node: unknown = root.get(field, true);
    if (node === undefined) continue;
    if (!isScalar(node)) return null;
    const text =
      node.value === null ? '' : typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
    yaml[field] = text.trim() === '' ? null : text.trim();
  }
  return Object.freeze(yaml);
}
