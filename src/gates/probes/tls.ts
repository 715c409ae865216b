/**
 * The TLS probe: a thin port over node:tls. It completes a handshake without rejecting, then reports
 * what a client would judge: chain trusted (and why not), certificate valid for the hostname, days to
 * expiry, protocol and the chain's subjects. `tlsProblems` turns that into evidence lines.
 */
import { isIP } from 'node:net';
import { connect, checkServerIdentity, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';

export interface TlsInfo {
  host: string;
  port: number;
  servername: string;
  /** The chain verified against the trust store (system roots, or `ca`). */
  trusted: boolean;
  /** OpenSSL's reason when not trusted: CERT_HAS_EXPIRED, SELF_SIGNED_CERT_IN_CHAIN... */
  trustError?: string;
  /** The leaf certificate is valid for `servername`. */
  hostnameValid: boolean;
  hostnameError?: string;
  protocol: string;
  validFrom: string;
  validTo: string;
  /** Whole days from `now` to notAfter (negative when expired). */
  daysToExpiry: number;
  subject: string;
  issuer: string;
  altNames: string[];
  /** Subjects from leaf to root, as sent or completed by the trust store. */
  chain: string[];
}

/** What a client offered in one handshake (`offer`). */
export interface TlsOffer {
  port?: number;
  servername?: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list for TLS <= 1.2 (e.g. only weak suites, to see whether the server takes them). */
  ciphers?: string;
}

/** How the handshake ended: accepted with what, or refused with the error. */
export type TlsOfferResult = { accepted: true; protocol: string; cipher: string } | { accepted: false; error: string };

export interface TlsProbe {
  inspect(host: string, opts?: { port?: number; servername?: string; ca?: string | string[] }): Promise<TlsInfo>;
  /**
   * One handshake offering only what `offer` allows (no trust check: this asks what the server
   * accepts, not whom it is). A refusal is a result, not an error; only a failure to connect throws.
   */
  offer(host: string, offer: TlsOffer): Promise<TlsOfferResult>;
}

/** Errors that mean the server (or, for old protocols, the handshake itself) refused the offer. */
const REFUSAL = /handshake failure|no shared cipher|unsupported protocol|protocol version|wrong version number|no protocols available|alert|ECONNRESET|socket hang up|disconnected before secure/i;

export interface TlsProbeOptions {
  /** Extra trusted roots (PEM) instead of the system's; tests pass a generated root. */
  ca?: string | string[];
  timeoutMs?: number;
  now?: () => number;
}

export function createTlsProbe(opts: TlsProbeOptions = {}): TlsProbe {
  const now = opts.now ?? Date.now;
  return {
    offer(host, o) {
      const port = o.port ?? 443;
      const servername = o.servername ?? host;
      return new Promise<TlsOfferResult>((resolve, reject) => {
        const socket = connect({
          host,
          port,
          ...(isIP(servername) ? {} : { servername }),
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
          ...(o.minVersion ? { minVersion: o.minVersion } : {}),
          ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}),
          // SECLEVEL=0 lets this client offer what OpenSSL 3 would otherwise refuse to send (TLS 1.0/1.1,
          // SHA-1 suites): the question is whether the server accepts them.
          ciphers: `${o.ciphers ?? 'DEFAULT'}@SECLEVEL=0`,
        });
        socket.setTimeout(opts.timeoutMs ?? 10_000, () => socket.destroy(new Error(`TLS handshake with ${host}:${port} timed out`)));
        socket.once('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || /timed out/.test(e.message)) reject(new Error(`TLS ${host}:${port} failed: ${e.message}`));
          else if (REFUSAL.test(e.message) || REFUSAL.test(e.code ?? '')) resolve({ accepted: false, error: refusalReason(e.message) });
          else reject(new Error(`TLS ${host}:${port} failed: ${e.message}`));
        });
        socket.once('secureConnect', () => {
          const cipher = socket.getCipher();
          const result: TlsOfferResult = { accepted: true, protocol: socket.getProtocol() ?? 'unknown', cipher: cipher?.standardName ?? cipher?.name ?? 'unknown' };
          socket.end();
          resolve(result);
        });
      });
    },
    inspect(host, call = {}) {
      const port = call.port ?? 443;
      const servername = call.servername ?? host;
      const ca = call.ca ?? opts.ca;
      return new Promise<TlsInfo>((resolve, reject) => {
        // Chain trust and hostname are judged apart: Node folds a hostname mismatch into
        // `authorized` unless checkServerIdentity is replaced, so it is checked below instead.
        const socket = connect({
          host,
          port,
          ...(isIP(servername) ? {} : { servername }),
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
          ...(ca ? { ca } : {}),
        });
        socket.setTimeout(opts.timeoutMs ?? 10_000, () => socket.destroy(new Error(`TLS handshake with ${host}:${port} timed out`)));
        socket.once('error', (e) => reject(new Error(`TLS ${host}:${port} failed: ${e.message}`)));
        socket.once('secureConnect', () => {
          const leaf = socket.getPeerCertificate(true);
          const idError = checkServerIdentity(servername, leaf);
          const validTo = leaf.valid_to;
          const info: TlsInfo = {
            host,
            port,
            servername,
            trusted: socket.authorized,
            ...(socket.authorizationError ? { trustError: String((socket.authorizationError as any).code ?? socket.authorizationError) } : {}),
            hostnameValid: idError === undefined,
            ...(idError ? { hostnameError: idError.message } : {}),
            protocol: socket.getProtocol() ?? 'unknown',
            validFrom: new Date(leaf.valid_from).toISOString(),
            validTo: new Date(validTo).toISOString(),
            daysToExpiry: Math.floor((new Date(validTo).getTime() - now()) / 86_400_000),
            subject: cn(leaf),
            issuer: first(leaf.issuer?.CN) ?? JSON.stringify(leaf.issuer),
            altNames: (leaf.subjectaltname ?? '').split(', ').filter(Boolean),
            chain: chainOf(leaf),
          };
          socket.end();
          resolve(info);
        });
      });
    },
  };
}

/** OpenSSL's reason in a few words (`tlsv1 alert protocol version`), not its whole error line. */
export function refusalReason(message: string): string {
  const m = /(tlsv1 alert [a-z ]+|sslv3 alert [a-z ]+|handshake failure|no shared cipher|unsupported protocol|wrong version number|no protocols available|no ciphers available)/i.exec(message);
  return m ? m[1]!.trim() : message.split('\n')[0]!.trim();
}

/** What is wrong with a handshake for a public endpoint; empty when nothing is. */
export function tlsProblems(info: TlsInfo, opts: { minDaysToExpiry?: number; minProtocol?: 'TLSv1.2' | 'TLSv1.3' } = {}): string[] {
  const out: string[] = [];
  if (!info.trusted) out.push(`chain not trusted: ${info.trustError ?? 'unknown reason'}`);
  if (!info.hostnameValid) out.push(`certificate not valid for ${info.servername}: ${info.hostnameError}`);
  if (info.daysToExpiry < 0) out.push(`certificate expired on ${info.validTo}`);
  else if (opts.minDaysToExpiry !== undefined && info.daysToExpiry < opts.minDaysToExpiry) {
    out.push(`certificate expires in ${info.daysToExpiry} days (< ${opts.minDaysToExpiry})`);
  }
  const rank: Record<string, number> = { 'TLSv1': 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };
  const min = opts.minProtocol ?? 'TLSv1.2';
  if ((rank[info.protocol] ?? 0) < rank[min]!) out.push(`protocol ${info.protocol} is older than ${min}`);
  return out;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function cn(c: PeerCertificate): string {
  return first(c.subject?.CN) ?? JSON.stringify(c.subject);
}

function chainOf(leaf: DetailedPeerCertificate): string[] {
  const out: string[] = [];
  let c: DetailedPeerCertificate | undefined = leaf;
  while (c && out.length < 10) {
    out.push(cn(c));
    if (!c.issuerCertificate || c.issuerCertificate === c || c.issuerCertificate.fingerprint256 === c.fingerprint256) break;
    c = c.issuerCertificate;
  }
  return out;
}
