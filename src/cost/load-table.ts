/**
 * `--prices <file>`: a price table other than the committed one (say, the output of
 * scripts/update-prices.ts before it is committed). A file that cannot be read, is not JSON or does
 * not match the table's schema is a usage error naming the file and the first wrong field.
 */
import { readFile } from 'node:fs/promises';
import { PlatformError } from '../core/errors.js';
import { Prices, PriceTable } from './price-table.js';

export async function loadPriceFile(file: string): Promise<Prices> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new PlatformError('usage', `cannot read --prices file '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      value: file,
      hint: 'give the path of a price table JSON file (the shape of src/cost/price-data.ts; docs/cost.md)',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PlatformError('usage', `--prices file '${file}' is not JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`, { value: file, hint: 'write the table as JSON (docs/cost.md)' });
  }
  const parsed = PriceTable.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new PlatformError('usage', `--prices file '${file}' is not a valid price table: ${at}: ${issue.message}`, {
      value: file,
      hint: 'fix that field, or regenerate the table with scripts/update-prices.ts (docs/cost.md)',
    });
  }
  return new Prices(parsed.data);
}
