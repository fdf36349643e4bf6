/**
 * Meta info as one line of text, for the text table and for `-x/--remeta`. The original client
 * (fullstop/cli.py, `format_meta_info`) printed `yaml.safe_dump(meta_info)` with the outer braces stripped and
 * line breaks joined by `, `. With the PyYAML of its day (3.x, keys sorted, collections of scalars in flow
 * style) that is `allowed_regions: [eu-central-1, eu-west-1]` or `ami_id: ami-1, ami_name: ''`.
 */
import { Document, Scalar, stringify, visit, type ScalarTag, type Tags } from 'yaml';

/**
 * PyYAML's booleans: YAML 1.1's without the one-letter `y`/`n`, so a key `n` is not quoted (`n: 2`, not `'n': 2`).
 * Strings that would read as one of these are quoted.
 */
const PYYAML_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PYYAML_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

function pyyamlBooleans(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== 'object' || tag.tag !== 'tag:yaml.org,2002:bool') return tag;
    const scalar = tag as ScalarTag;
    return { ...scalar, test: scalar.identify?.(true) ? PYYAML_TRUE : PYYAML_FALSE };
  });
}

/** Strings with control characters are double-quoted with escapes (`"a\nb"`), so the line stays one line. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The meta info without the application keys, which have their own columns; undefined when nothing is left. */
function withoutApplication(meta: unknown): unknown {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return meta;
  const { application_id: _id, application_version: _version, ...rest } = meta as Record<string, unknown>;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * One line: a mapping as `key: value, key2: value2` with keys sorted, nested collections in flow style
 * (`x: {a: 1, b: [y]}`), strings quoted where YAML 1.1 (PyYAML's dialect) needs it (`''`, `'999'`, `'yes'`);
 * a list as `[a, {b: 1}]`; a string as is; nothing for null or an empty collection.
 */
export function formatMetaInfo(meta: unknown): string {
  const value = withoutApplication(meta);
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && Object.keys(value).length === 0) return '';
  const doc = new Document(value, { version: '1.1', customTags: pyyamlBooleans, sortMapEntries: true });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && CONTROL.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // lineWidth 0: never fold, so a long value stays on the line.
  const text = doc
    .toString({ collectionStyle: 'flow', flowCollectionPadding: false, singleQuote: true, lineWidth: 0 })
    .trimEnd();
  return Array.isArray(value) ? text : text.replace(/^\{(.*)\}$/s, '$1');
}

/**
 * The `meta_info` field of `-o tsv` and `-o csv`, unchanged since those formats are stable: the block YAML
 * dump (keys sorted, lists unindented) with line breaks turned into `, `, e.g. `allowed_regions:, - eu-west-1`.
 */
export function formatMetaInfoField(meta: unknown): string {
  if (typeof meta === 'string') return meta;
  const value = withoutApplication(meta);
  if (value === null || value === undefined) return '';
  return stringify(value, { sortMapEntries: true, lineWidth: 0, singleQuote: true, indentSeq: false })
    .replace(/^[{}\s]+|[{}\s]+$/g, '')
    .replace(/\n/g, ', ');
}
