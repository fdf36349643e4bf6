import { stringify } from 'yaml';

/**
 * Formats meta info as the original client printed it: `key: value, key2: value2` (keys sorted, as PyYAML
 * dumps them), a string as is, nothing for null. The application keys are dropped: they have own columns.
 */
export function formatMetaInfo(meta: unknown): string {
  if (meta === null || meta === undefined || meta === '') return '';
  if (typeof meta === 'string') return meta;
  let value = meta;
  if (typeof meta === 'object' && !Array.isArray(meta)) {
    const { application_id: _id, application_version: _version, ...rest } = meta as Record<string, unknown>;
    if (Object.keys(rest).length === 0) return '';
    value = rest;
  }
  return stringify(value, { sortMapEntries: true, lineWidth: 0, singleQuote: true })
    .replace(/^[{}\s]+|[{}\s]+$/g, '')
    .replace(/\n/g, ', ');
}
