/**
 * The SDK's program clients and a port reused by a later engine (src/engine/pulumi/grpc-channels.ts):
 * a client called after its server died leaves a failed subchannel for that address; a new client
 * to a new server on the same port must still reach it. With grpc-js's shared subchannel pool it
 * fails with the error a real-engine run once failed with; with the option set, it works.
 */
import { strict as assert } from 'node:assert';
import { createRequire } from 'node:module';
import { isolateProgramChannels, programClientOptions } from '../../src/engine/pulumi/grpc-channels.js';

// The grpc-js instance the SDK itself uses (the subchannel pool is per module instance).
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@pulumi/pulumi'));
const grpc = sdkRequire('@grpc/grpc-js') as typeof import('@grpc/grpc-js');

type Json = Record<string, unknown>;
const codec = { serialize: (x: Json) => Buffer.from(JSON.stringify(x)), deserialize: (b: Buffer) => JSON.parse(b.toString() || '{}') as Json };
const service = {
  ping: { path: '/platform.test.Probe/Ping', requestStream: false, responseStream: false, requestSerialize: codec.serialize, requestDeserialize: codec.deserialize, responseSerialize: codec.serialize, responseDeserialize: codec.deserialize },
} as const;
const Client = grpc.makeGenericClientConstructor(service, 'Probe');
type Probe = InstanceType<typeof Client> & { ping(req: Json, cb: (e: (Error & { code?: number }) | null, r?: Json) => void): void };

function serve(port: number): Promise<{ server: import('@grpc/grpc-js').Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = new grpc.Server();
    server.addService(service, { ping: (_c: unknown, cb: (e: null, r: Json) => void) => cb(null, { ok: true }) });
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve({ server, port: p })));
  });
}

const ping = (c: Probe) => new Promise<string>((resolve) => c.ping({}, (e) => resolve(e ? `${e.code} ${e.message}` : 'ok')));

/** Engine 1 exits, its client is called once more, engine 2 gets the same port: what does a new client get? */
async function reusedPort(options: Record<string, unknown>): Promise<string> {
  const first = await serve(0);
  const old = new Client(`127.0.0.1:${first.port}`, grpc.credentials.createInsecure(), options) as Probe;
  const clients = [old];
  try {
    assert.equal(await ping(old), 'ok');
    first.server.forceShutdown();
    assert.match(await ping(old), /^14 /, 'a call after the engine exited fails');
    const second = await serve(first.port);
    try {
      const fresh = new Client(`127.0.0.1:${first.port}`, grpc.credentials.createInsecure(), options) as Probe;
      clients.push(fresh);
      return await ping(fresh);
    } finally {
      second.server.forceShutdown();
    }
  } finally {
    clients.forEach((c) => c.close());
  }
}

describe('pulumi adapter: program gRPC clients and a reused engine port', () => {
  it('with the shared subchannel pool a new client fails (control: this is the one-off UNAVAILABLE)', async () => {
    const shared = { ...programClientOptions() };
    delete shared['grpc.use_local_subchannel_pool'];
    assert.match(await reusedPort(shared), /^14 14 UNAVAILABLE: No connection established\. Last error: null/);
  });

  it("the SDK's program clients get a pool of their own and reach the new engine", async () => {
    assert.equal(isolateProgramChannels(), true, 'the SDK still exports the options its monitor and engine clients use');
    assert.equal(programClientOptions()!['grpc.use_local_subchannel_pool'], 1);
    assert.equal(await reusedPort(programClientOptions()!), 'ok');
  });
});
