/**
 * Turns zod issues from the env schema into one-line problems that name the path inside the file and
 * what is allowed, and maps a path back to a line and column of the YAML source. Rules:
 * - one problem per issue, text `<path>: expected <allowed>, got <value>`; unknown keys read
 *   `unknown key 'k' at <path>; allowed: a, b, c` (the allowed keys come from the schema itself);
 * - unknown-key problems sort first: a misspelt key also makes the real key "missing", and the
 *   misspelling is the cause worth showing;
 * - a path is located at its deepest node present in the document (the key node for unknown keys).
 */
import { z } from 'zod';
import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** One thing wrong with an env file, before the file name and position are added. */
export interface ConfigProblem {
  /** Path inside the file (`['network', 'natGateways']`). */
  path: readonly PropertyKey[];
  /** One line, starting with the path or naming it. */
  text: string;
  /** For unknown keys: the offending key, located at the key itself. */
  unknownKey?: string;
  /** The offending value as shown to the user, when there is one. */
  value?: string;
  /** Allowed names, for a "did you mean" hint. */
  allowed?: readonly string[];
}

/** `network.natGateways`, `checks.suppressions[0].rule`; the root is `top level`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'top level';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** How a value from the file is shown: scalars as JSON, containers by kind. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v);
}

const typeWords: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  record: 'a mapping',
};

/** The keys an object schema allows at `path`, or undefined when the path does not lead to an object. */
export function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node: z.ZodType | undefined = schema;
  for (const seg of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(seg)];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return undefined;
    if (node === undefined) return undefined;
  }
  node = unwrap(node);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
}

function unwrap(node: z.ZodType): z.ZodType {
  let n = node;
  while (n instanceof z.ZodOptional || n instanceof z.ZodNullable || n instanceof z.ZodDefault) {
    n = n.unwrap() as z.ZodType;
  }
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One zod issue (parsed with `reportInput: true`) as a one-line problem. */
export function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): ConfigProblem {
  const path = issue.path;
  const at = formatPath(path);
  const input = (issue as { input?: unknown }).input;
  const got = describeValue(input);
  const value = input === undefined || typeof input === 'object' ? undefined : String(input);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, path) ?? [];
      const keys = issue.keys.map((k) => `'${k}'`).join(', ');
      const noun = issue.keys.length === 1 ? 'key' : 'keys';
      return {
        path,
        unknownKey: issue.keys[0],
        value: issue.keys[0],
        allowed,
        text: `unknown ${noun} ${keys} at ${at}; allowed: ${allowed.join(', ')}`,
      };
    }
    case 'invalid_type': {
      const expected = typeWords[issue.expected] ?? issue.expected;
      if (input === undefined) return { path, text: `${at}: missing; expected ${expected}` };
      const quote = issue.expected === 'string' && typeof input === 'number' ? ' (quote it in YAML)' : '';
      return { path, value, text: `${at}: expected ${expected}, got ${got}${quote}` };
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      return {
        path,
        value,
        allowed: issue.values.map(String),
        text: `${at}: expected ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join('|')}`}, got ${got}`,
      };
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
      if (issue.origin === 'array' && Array.isArray(input)) {
        return { path, text: `${at}: expected ${word} ${plural(Number(bound), 'item')}, got ${input.length}` };
      }
      if (issue.origin === 'string') {
        return { path, value, text: `${at}: expected ${word} ${plural(Number(bound), 'character')}, got ${got}` };
      }
      return { path, value, text: `${at}: expected ${word} ${String(bound)}, got ${got}` };
    }
    case 'invalid_format': {
      const wanted = issue.message.startsWith('Invalid') && issue.pattern ? `text matching ${issue.pattern}` : issue.message;
      return { path, value, text: `${at}: expected ${wanted}, got ${got}` };
    }
    default:
      return { path, value, text: input === undefined ? `${at}: ${issue.message}` : `${at}: ${issue.message}, got ${got}` };
  }
}

/** Unknown keys first (see header), otherwise in the schema's order. Stable. */
export function orderProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems.filter((p) => p.unknownKey !== undefined), ...problems.filter((p) => p.unknownKey === undefined)];
}

/**
 * 1-based line and column of the problem in the YAML source, when the document can map its path: the
 * value node when present, else the key of the deepest ancestor present (a missing key points at its
 * parent's key), or the unknown key itself.
 */
export function locate(doc: Document, lines: LineCounter, problem: ConfigProblem): { line: number; col: number } | undefined {
  const path = [...problem.path];
  if (problem.unknownKey !== undefined) {
    const key = keyNode(doc, [...path, problem.unknownKey]);
    if (key) return lines.linePos(key);
  }
  const value = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (path.length > 0 && value && typeof value === 'object' && value.range) return lines.linePos(value.range[0]);
  for (let n = path.length; n > 0; n--) {
    const key = keyNode(doc, path.slice(0, n));
    if (key !== undefined) return lines.linePos(key);
  }
  return undefined;
}

/** Offset of the key (or sequence item) that `path` ends with, if the document has it. */
function keyNode(doc: Document, path: readonly PropertyKey[]): number | undefined {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (isScalar(pair.key) && String(pair.key.value) === String(last) && pair.key.range) return pair.key.range[0];
    }
  }
  if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last] as { range?: [number, number, number] } | undefined;
    if (item && typeof item === 'object' && item.range) return item.range[0];
  }
  return undefined;
}
