/**
 * Writes the report's Markdown and HTML under `<repo>/.platform/reports/`, each atomically (a
 * temporary file in the same folder, then a rename), named `<env>-<UTC time>.md|.html`.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface WrittenReport {
  markdown: string;
  html: string;
}

function stamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export async function writeReport(platformDir: string, env: string, generatedAt: string, markdown: string, html: string): Promise<WrittenReport> {
  const dir = join(platformDir, 'reports');
  await mkdir(dir, { recursive: true });
  const base = join(dir, `${env}-${stamp(generatedAt)}`);
  const out = { markdown: `${base}.md`, html: `${base}.html` };
  await atomicWrite(out.markdown, markdown);
  await atomicWrite(out.html, html);
  return out;
}
