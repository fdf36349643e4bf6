/** How rules look: the `rules list` table, the `rules show` details, and one rule in any `-o` format. */
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import type { WhitelistingRule } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import type { OutputFormat } from '../../options.js';
import { renderDetails, type DetailField } from '../../output/details.js';
import { emitRows } from '../../output/emit.js';
import type { Column, TextStyle } from '../../output/render-types.js';
import { stdoutStyle } from '../../output/style.js';

/** The server's "no expiry" is 9999-01-01; any date that far out reads as never. */
function expiresNever(iso: string): boolean {
  return new Date(iso).getUTCFullYear() >= 9999;
}

function when(iso: string | null, style: TextStyle): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (!style.relativeTime || Number.isNaN(date.getTime())) return iso;
  return formatDistanceStrict(date, style.now, { addSuffix: true });
}

/** `never`, `in 3 days` / `expired 2 days ago` on a terminal, the ISO date otherwise. */
export function expiryText(rule: WhitelistingRule, style: TextStyle): string {
  if (expiresNever(rule.expiry_date)) return 'never';
  const text = when(rule.expiry_date, style);
  const past = Date.parse(rule.expiry_date) <= style.now.getTime();
  return past && style.relativeTime ? `expired ${text}` : text;
}

export const ruleColumns: Column<WhitelistingRule>[] = [
  { key: 'id', title: 'Id', value: (r) => r.id },
  { key: 'violation_type_entity_id', title: 'Type', value: (r) => r.violation_type_entity_id },
  { key: 'account_id', title: 'Account', value: (r) => r.account_id },
  { key: 'region', title: 'Region', value: (r) => r.region },
  { key: 'application_id', title: 'Application', value: (r) => r.application_id },
  { key: 'application_version', title: 'Version', value: (r) => r.application_version },
  { key: 'image_name', title: 'Image Name', value: (r) => r.image_name, cutFirst: true },
  { key: 'image_owner', title: 'Image Owner', value: (r) => r.image_owner },
  { key: 'meta_info_json_path', title: 'Meta Path', value: (r) => r.meta_info_json_path, cutFirst: true },
  { key: 'reason', title: 'Reason', value: (r) => r.reason, cutFirst: true },
  { key: 'expiry_date', title: 'Expires', value: (r) => r.expiry_date, text: (r, style) => expiryText(r, style) },
  { key: 'created_by', title: 'Created By', value: (r) => r.created_by },
];

/** Every field of one rule, in reading order. */
export function ruleDetails(rule: WhitelistingRule, style: TextStyle): DetailField[] {
  const active = Date.parse(rule.expiry_date) > style.now.getTime();
  const stamp = (iso: string | null) => (iso && style.relativeTime ? `${iso} (${when(iso, style)})` : iso);
  return [
    { label: 'Id', value: String(rule.id) },
    { label: 'Status', value: active ? 'active' : 'expired', paint: (c) => (active ? c.green : c.dim) },
    { label: 'Reason', value: rule.reason },
    { label: 'Type', value: rule.violation_type_entity_id ?? '(any type)' },
    { label: 'Account', value: rule.account_id },
    { label: 'Region', value: rule.region },
    { label: 'Application', value: rule.application_id },
    { label: 'App. version', value: rule.application_version },
    { label: 'Image name', value: rule.image_name },
    { label: 'Image owner', value: rule.image_owner },
    { label: 'Meta path', value: rule.meta_info_json_path },
    { label: 'Expires', value: expiresNever(rule.expiry_date) ? 'never' : stamp(rule.expiry_date) },
    { label: 'Created', value: stamp(rule.created) },
    { label: 'Created by', value: rule.created_by },
    { label: 'Modified', value: stamp(rule.last_modified) },
    { label: 'Modified by', value: rule.last_modified_by },
    { label: 'Version', value: String(rule.version) },
  ];
}

/** Prints rules as a table (text) or in a machine format. */
export async function printRules(rules: WhitelistingRule[], format: OutputFormat, ctx: Context): Promise<void> {
  await emitRows(ctx, { rows: rules, columns: ruleColumns, raw: (r) => r }, format);
}

/** Prints one rule: its details (text), the object (json, ndjson) or one row (tsv, csv). */
export async function printRule(rule: WhitelistingRule, format: OutputFormat, ctx: Context): Promise<void> {
  if (format === 'json' || format === 'ndjson') {
    ctx.io.out(format === 'json' ? JSON.stringify(rule, null, 2) : JSON.stringify(rule));
  } else if (format === 'text') {
    const style = stdoutStyle(ctx);
    for (const line of renderDetails(ruleDetails(rule, style), style)) ctx.io.out(line);
  } else {
    await printRules([rule], format, ctx);
  }
}
