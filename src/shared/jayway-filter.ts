/**
 * The filters (`?(…)`) of a whitelisting rule's JsonPath, checked before they are stored: jsonpath-plus's safe
 * evaluation would still call any method of a value (`@.name.repeat(1e9)`) and run JavaScript regular
 * expressions, which backtrack. Only comparisons and combinations of the node's fields and `=~` tests pass.
 */
import { JSONPath } from 'jsonpath-plus';

/** `=~` becomes a call of `_$_re<n>(operand)` (see jayway-path.ts). */
const REGEX_CALL = /^_\$_re(\d+)$/;

/** The names jsonpath-plus gives `@`, `@root`, `@parent`… inside a filter; no other free name exists there. */
const SANDBOX_NAMES = new Set(['_$_v', '_$_root', '_$_parent', '_$_parentProperty', '_$_property', '_$_path']);

interface AstNode {
  type: string;
  name?: string;
  computed?: boolean;
  value?: unknown;
  [key: string]: unknown;
}

/** The parts of each expression that are expressions themselves. */
const OPERANDS: Record<string, readonly string[]> = {
  BinaryExpression: ['left', 'right'],
  LogicalExpression: ['left', 'right'],
  UnaryExpression: ['argument'],
  ConditionalExpression: ['test', 'consequent', 'alternate'],
  ArrayExpression: ['elements'],
};

/**
 * jsonpath-plus's own expression parser (the one its safe evaluation runs), which its typings do not expose. A
 * filter that does not parse throws here; so does one that names anything but the node under test, calls
 * anything but a `=~` test, or holds a JavaScript regular expression.
 */
export function checkScript(script: string, regexCount: number): void {
  const { Script } = (JSONPath.prototype as unknown as { safeVm: { Script: new (code: string) => { ast: AstNode } } })
    .safeVm;
  const code = script
    .replace(/@(parentProperty|parent|property|root|path)\b/g, '_$_$1')
    .replace(/@(?=[.\s)[])/g, '_$_v');
  const shown = script.replace(/_\$_re\d+\(([^)]*)\)/g, '$1 =~ …');
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const ast = node as AstNode;
    switch (ast.type) {
      case 'Identifier':
        if (!SANDBOX_NAMES.has(ast.name ?? '')) throw new Error(`unknown name '${ast.name}' in ${shown}`);
        return;
      case 'Literal':
        if (ast.value instanceof RegExp) throw new Error(`a regular expression may only follow =~ in ${shown}`);
        return;
      case 'MemberExpression':
        walk(ast.object);
        if (ast.computed === true) walk(ast.property);
        return;
      case 'CallExpression': {
        const callee = ast.callee as AstNode;
        const index = callee.type === 'Identifier' ? REGEX_CALL.exec(callee.name ?? '')?.[1] : undefined;
        const args = ast.arguments as unknown[];
        if (index === undefined || Number(index) >= regexCount || args.length !== 1)
          throw new Error(`functions and methods cannot be called in ${shown}`);
        return walk(args);
      }
      case 'AssignmentExpression':
        throw new Error(`assignment in ${shown}; compare with ==`);
      default: {
        const operands = OPERANDS[ast.type];
        if (operands === undefined) throw new Error(`unsupported expression in ${shown}`);
        for (const operand of operands) walk(ast[operand]);
      }
    }
  };
  walk(new Script(code).ast);
}
