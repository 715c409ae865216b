/**
 * Parses the text of a YAML config file (an env file or the organization file) against a zod schema
 * and cross-field rules, and turns the first failure into one PlatformError line:
 * `<file>:<line>:<col>: <path>: expected <allowed>, got <value>` plus "(and N more problems)", with
 * a "did you mean" hint for a misspelt key. Pure apart from the YAML parser; reads no file.
 */
import type { z } from 'zod';
import { LineCounter, parseDocument } from 'yaml';
import { PlatformError } from '../core/errors.js';
import { closest } from './edit-distance.js';
import { describeIssue, locate, orderProblems, type ConfigProblem } from './issues.js';

export function parseConfigSource<T>(
  source: string,
  file: string,
  schema: z.ZodType<T>,
  crossField: (value: T) => ConfigProblem[],
  schemaHint: string,
): T {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const { line, col } = lines.linePos(err.pos[0]);
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more problem${doc.errors.length === 2 ? '' : 's'})` : '';
    throw new PlatformError('config-invalid', `${file}:${line}:${col}: ${firstLine(err.message)}${more}`, {
      value: file,
      hint: 'fix the YAML syntax at that position',
    });
  }
  const data: unknown = doc.toJS();
  const parsed = schema.safeParse(data, { reportInput: true });
  const problems: ConfigProblem[] = parsed.success
    ? crossField(parsed.data)
    : orderProblems(parsed.error.issues.map((i) => describeIssue(i, schema)));
  if (problems.length === 0 && parsed.success) return parsed.data;

  const first = problems[0]!;
  const pos = locate(doc, lines, first);
  const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : '';
  const suggestion = first.unknownKey && first.allowed ? closest(first.unknownKey, first.allowed) : undefined;
  throw new PlatformError('config-invalid', `${where}: ${first.text}${more}`, {
    value: first.value,
    hint: suggestion ? `did you mean '${suggestion}'? ${schemaHint}` : `edit ${file}; ${schemaHint}`,
  });
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
