/** Reads the function's configuration from its environment; a missing value fails the invocation by name. */
export function requireEnv(env: Record<string, string | undefined>, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`environment variable ${name} is not set (the phase 9 program sets it)`);
  return v;
}

export function numberEnv(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`environment variable ${name}='${raw}' is not a non-negative number`);
  return n;
}

/** Comma-separated list; empty entries dropped. */
export function listEnv(env: Record<string, string | undefined>, name: string): string[] {
  return (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
