/**
 * A tiny authoritative DNS server on loopback UDP for the DNS probe tests. No DNS packet library is
 * installed in this project (dns-packet would be one more dependency for a test), and the probe only
 * needs A, NS and TXT answers, so the few record types are encoded by hand per RFC 1035 §4.1:
 * header (12 bytes), the question echoed, then answers with uncompressed owner names.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export type Zone = Record<string, { A?: string[]; NS?: string[]; TXT?: string[] }>;

const TYPES: Record<number, 'A' | 'NS' | 'TXT'> = { 1: 'A', 2: 'NS', 16: 'TXT' };

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (msg[i]! !== 0) {
    const len = msg[i]!;
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += len + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

function rdata(type: 'A' | 'NS' | 'TXT', value: string): Buffer {
  if (type === 'A') return Buffer.from(value.split('.').map(Number));
  if (type === 'NS') return encodeName(value);
  const b = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([b.length]), b]);
}

export class LoopbackDns {
  private socket?: Socket;
  readonly queries: string[] = [];
  constructor(private readonly zone: Zone) {}

  async start(): Promise<string> {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => {
      const id = msg.readUInt16BE(0);
      const q = readName(msg, 12);
      const qtype = msg.readUInt16BE(q.end);
      const question = msg.subarray(12, q.end + 4);
      const type = TYPES[qtype];
      this.queries.push(`${type ?? qtype} ${q.name}`);
      const entry = this.zone[q.name];
      const values = (entry && type && entry[type]) || [];
      const answers = values.map((v) => {
        const rd = rdata(type!, v);
        const fixed = Buffer.alloc(10);
        fixed.writeUInt16BE(qtype, 0);
        fixed.writeUInt16BE(1, 2); // IN
        fixed.writeUInt32BE(60, 4); // TTL
        fixed.writeUInt16BE(rd.length, 8);
        return Buffer.concat([encodeName(q.name), fixed, rd]);
      });
      const header = Buffer.alloc(12);
      header.writeUInt16BE(id, 0);
      header.writeUInt16BE(0x8400 | (entry ? 0 : 3), 2); // QR, AA, RCODE NOERROR / NXDOMAIN
      header.writeUInt16BE(1, 4);
      header.writeUInt16BE(answers.length, 6);
      this.socket!.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => this.socket!.bind(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.socket.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.socket ? this.socket.close(() => resolve()) : resolve()));
  }
}
