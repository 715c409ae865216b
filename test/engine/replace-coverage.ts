/** What the replace-table coverage tests share: the types without a rule, and what to do about them. */
import { replacePaths } from '../../src/engine/simulate/replace-rules.js';

export const REPLACE_TABLE_HINT = 'no replace rule for these types: add each to scripts/replace-table/aws_types.py (or kubernetes.py) and run bash scripts/replace-table/generate.sh';

/** The distinct types (sorted) the replace table has no rule for. */
export const uncoveredTypes = (types: Iterable<string>): string[] => [...new Set(types)].filter((t) => replacePaths(t) === undefined).sort();
