/** One violation as one line for `fullstop watch`'s text output; on a terminal, cut to its width and coloured. */
import { Chalk } from 'chalk';
import type { Violation } from '../../../shared/violation.js';
import { severityPaint } from '../../output/columns.js';
import { cut, oneLine, pad } from '../../output/fit.js';
import { formatMetaInfo } from '../../output/meta-info.js';
import type { TextStyle } from '../../output/render-types.js';

/** `created  account  region  id  type  instance  meta info`, the fields of list-violations that matter most. */
export function violationLine(v: Violation, style: TextStyle): string {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  const type = v.violation_type;
  const head = [v.created ?? '', v.account_id ?? '', pad(v.region ?? '', 14), pad(String(v.id), 7)].join('  ');
  const tail = [v.instance_id ?? '-', formatMetaInfo(v.meta_info)].filter((x) => x !== '').join('  ');
  const plain = oneLine(`${head}  ${type.id}  ${tail}`);
  const text = style.width === undefined ? plain : cut(plain, style.width);
  const paint = severityPaint(type.violation_severity, chalk);
  // Colour the type only, after cutting, so widths are measured on the text alone.
  const at = text.indexOf(type.id, head.length);
  if (!paint || at < 0) return text;
  return text.slice(0, at) + paint(type.id) + text.slice(at + type.id.length);
}
