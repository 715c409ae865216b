/**
 * Structured logs for the responders: one JSON object per line on stdout (CloudWatch Logs keeps
 * each as one event). Values under keys that name a secret (token, password, secret, credential,
 * authorization, session, key material) are replaced before printing, at any depth, so an event or
 * an SDK error that carries one never reaches the log group.
 */
const SECRET_KEY = /(secret|token|password|passwd|credential|authorization|sessionkey|privatekey)/i;

export type LogFields = Record<string, unknown>;

/** A copy of `value` with secret-named keys redacted (depth-limited, cycle-safe). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value as object) || depth > 12) return '[…]';
  seen.add(value as object);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1, seen);
  return out;
}

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A logger writing JSON lines through `write` (stdout in Lambda; a buffer in tests). */
export function createLogger(fn: string, base: LogFields = {}, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const emit = (level: string, msg: string, fields: LogFields = {}) =>
    write(JSON.stringify(redact({ level, fn, msg, ...base, ...fields, time: new Date().toISOString() })));
  return {
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
