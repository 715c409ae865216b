/**
 * The DNS probe: a thin port over node:dns's Resolver pointed at a chosen resolver (a public one
 * for delegation checks, the VPC resolver, or a loopback server in tests). "No such name" and "no
 * records of that type" are answers (empty, with their code), not errors; anything else throws.
 */
import { Resolver } from 'node:dns/promises';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'TXT';

export interface DnsAnswer {
  name: string;
  type: RecordType;
  /** Values, sorted; TXT chunks joined. Empty when the name or type has no records. */
  values: string[];
  /** `ENOTFOUND` (NXDOMAIN) or `ENODATA` when empty. */
  code?: string;
  /** The resolvers asked. */
  servers: string[];
}

export interface DnsProbe {
  resolve(name: string, type: RecordType, opts?: { servers?: readonly string[] }): Promise<DnsAnswer>;
}

export interface DnsProbeOptions {
  /** Resolvers as `ip` or `ip:port`; default: the system's. */
  servers?: readonly string[];
  /** Per-try timeout (default 3000 ms) and tries (default 2). */
  timeoutMs?: number;
  tries?: number;
}

const EMPTY = new Set(['ENOTFOUND', 'ENODATA']);

/** Creates a DNS probe; each call uses a fresh Resolver so servers never leak between calls. */
export function createDnsProbe(opts: DnsProbeOptions = {}): DnsProbe {
  return {
    async resolve(name, type, call = {}) {
      const r = new Resolver({ timeout: opts.timeoutMs ?? 3000, tries: opts.tries ?? 2 });
      const servers = [...(call.servers ?? opts.servers ?? [])];
      if (servers.length > 0) r.setServers(servers);
      const asked = servers.length > 0 ? servers : r.getServers();
      try {
        const values = await lookup(r, name, type);
        return { name, type, values: values.sort(), servers: asked };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code && EMPTY.has(code)) return { name, type, values: [], code, servers: asked };
        throw new Error(`DNS ${type} ${name} via ${asked.join(',')} failed: ${code ?? (e as Error).message}`);
      }
    },
  };
}

async function lookup(r: Resolver, name: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case 'A': return r.resolve4(name);
    case 'AAAA': return r.resolve6(name);
    case 'CNAME': return r.resolveCname(name);
    case 'NS': return (await r.resolveNs(name)).map((n) => n.toLowerCase().replace(/\.$/, ''));
    case 'TXT': return (await r.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}
