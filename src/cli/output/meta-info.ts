import { stringify } from 'yaml';

/**
 * Formats meta info as the original client printed it: PyYAML's block dump (keys sorted, lists unindented)
 * with line breaks turned into `, `, e.g. `key: value, key2: value2`; a string as is; nothing for null.
 * The application keys are dropped: they have their own columns.
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
  return stringify(value, { sortMapEntries: true, lineWidth: 0, singleQuote: true, indentSeq: false })
    .replace(/^[{}\s]+|[{}\s]+$/g, '')
    .replace(/\n/g, ', ');
}
