/** `fullstop show`: one violation, every field, for people (`details`) and as one row (`detailColumns`). */
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import { stringify } from 'yaml';
import type { Violation } from '../../shared/violation.js';
import { severityPaint } from './columns.js';
import type { DetailField } from './details.js';
import type { Column, TextStyle } from './render-types.js';

function time(iso: string | null, style: TextStyle): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (!style.relativeTime || Number.isNaN(date.getTime())) return iso;
  return `${iso} (${formatDistanceStrict(date, style.now, { addSuffix: true })})`;
}

/** `open`, `resolved` or `whitelisted by rule N`, as the API's filters tell them apart. */
export function violationStatus(v: Violation): string {
  if (v.rule_id !== null) return `whitelisted by rule ${v.rule_id}`;
  return v.comment !== null ? 'resolved' : 'open';
}

/** Meta info as an indented YAML block in the order it was stored; a bare string as it is. */
export function prettyMetaInfo(meta: unknown): string | null {
  if (meta === null || meta === undefined) return null;
  if (typeof meta === 'string') return meta;
  return stringify(meta, { lineWidth: 0, indentSeq: true, singleQuote: true }).trimEnd();
}

/** The fields of one violation, in reading order. */
export function violationDetails(v: Violation, style: TextStyle): DetailField[] {
  const type = v.violation_type;
  const application = [v.application_id, v.application_version_id].filter((x) => x !== null).join(' ');
  return [
    { label: 'Id', value: String(v.id) },
    { label: 'Type', value: type.title ? `${type.id} (${type.title})` : type.id },
    {
      label: 'Severity',
      value: type.violation_severity?.toString() ?? null,
      paint: (chalk) => severityPaint(type.violation_severity, chalk),
    },
    { label: 'Priority', value: type.priority?.toString() ?? null },
    { label: 'Status', value: violationStatus(v) },
    { label: 'Account', value: v.account_id },
    { label: 'Region', value: v.region },
    { label: 'Instance', value: v.instance_id },
    { label: 'Application', value: application },
    { label: 'Username', value: v.username },
    { label: 'Comment', value: v.comment },
    { label: 'Created', value: time(v.created, style) },
    { label: 'Created by', value: v.created_by },
    { label: 'Modified', value: time(v.last_modified, style) },
    { label: 'Modified by', value: v.last_modified_by },
    { label: 'Event id', value: v.event_id },
    { label: 'Detected by', value: v.plugin_fully_qualified_class_name },
    { label: 'Version', value: String(v.version) },
    { label: 'Meta info', value: prettyMetaInfo(v.meta_info), block: true },
    { label: 'Help', value: type.help_text },
  ];
}

/** Every field as one tsv/csv row: the API's names, the type by its id, meta info as JSON. */
export const violationDetailColumns: Column<Violation>[] = [
  ...(
    [
      'id',
      'version',
      'event_id',
      'account_id',
      'region',
      'instance_id',
      'application_id',
      'application_version_id',
      'comment',
      'rule_id',
      'username',
      'created',
      'created_by',
      'last_modified',
      'last_modified_by',
      'plugin_fully_qualified_class_name',
    ] as const
  ).map((key) => ({ key, title: key, value: (v: Violation) => v[key] })),
  { key: 'violation_type', title: 'violation_type', value: (v) => v.violation_type.id },
  { key: 'violation_severity', title: 'violation_severity', value: (v) => v.violation_type.violation_severity },
  { key: 'meta_info', title: 'meta_info', value: (v) => (v.meta_info === null ? null : JSON.stringify(v.meta_info)) },
];
