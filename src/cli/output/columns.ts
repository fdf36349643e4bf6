/** The columns of `list-violations` and `types`: the original client's, plus severity (last, so scripts that cut by position keep working). */
import type { ChalkInstance } from 'chalk';
import { formatDistanceStrict } from 'date-fns/formatDistanceStrict';
import type { Violation, ViolationType } from '../../shared/violation.js';
import { formatMetaInfo, formatMetaInfoField } from './meta-info.js';
import type { Column, TextStyle } from './render.js';

/** `3 hours ago` on a terminal, the ISO timestamp otherwise. */
export function timeText(iso: string | null, style: TextStyle): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (!style.relativeTime || Number.isNaN(date.getTime())) return iso;
  return formatDistanceStrict(date, style.now, { addSuffix: true });
}

/** Severities 2 and up stand out: 4 bold red, 3 red, 2 yellow. */
export function severityPaint(severity: number | null, chalk: ChalkInstance): ChalkInstance | undefined {
  if (severity === null) return undefined;
  if (severity >= 4) return chalk.bold.red;
  if (severity === 3) return chalk.red;
  if (severity === 2) return chalk.yellow;
  return undefined;
}

export const violationColumns: Column<Violation>[] = [
  { key: 'account_id', title: 'Account', value: (v) => v.account_id },
  { key: 'region', title: 'Region', value: (v) => v.region },
  { key: 'id', title: 'Id', value: (v) => v.id },
  { key: 'violation_type', title: 'Type', value: (v) => v.violation_type.id },
  { key: 'instance_id', title: 'Instance', value: (v) => v.instance_id, cutFirst: true },
  { key: 'application_id', title: 'Application', value: (v) => v.application_id },
  { key: 'application_version_id', title: 'Application Version', value: (v) => v.application_version_id },
  {
    key: 'meta_info',
    title: 'Meta Info',
    value: (v) => formatMetaInfoField(v.meta_info),
    text: (v) => formatMetaInfo(v.meta_info),
    cutFirst: true,
  },
  { key: 'comment', title: 'Comment', value: (v) => v.comment, cutFirst: true },
  { key: 'created', title: 'Created', value: (v) => v.created, text: (v, style) => timeText(v.created, style) },
  {
    key: 'severity',
    title: 'Sev.',
    value: (v) => v.violation_type.violation_severity,
    paint: (v, chalk) => severityPaint(v.violation_type.violation_severity, chalk),
  },
];

export const typeColumns: Column<ViolationType>[] = [
  { key: 'id', title: 'Id', value: (t) => t.id },
  {
    key: 'violation_severity',
    title: 'Sev.',
    value: (t) => t.violation_severity,
    paint: (t, chalk) => severityPaint(t.violation_severity, chalk),
  },
  { key: 'priority', title: 'Prio.', value: (t) => t.priority },
  { key: 'title', title: 'Title', value: (t) => t.title, cutFirst: true },
  { key: 'help_text', title: 'Help Text', value: (t) => t.help_text, cutFirst: true },
];
