/**
 * Every gRPC client of an inline program gets a subchannel pool of its own.
 *
 * Why: the Automation API runs each inline program in this process and never closes a run's clients
 * to its engine (the resource monitor and the engine's log service: @pulumi/pulumi
 * runtime/settings.js keeps them per run and closes only the non-inline ones). grpc-js shares
 * subchannels process-wide by address. When a client is called after its engine has exited (a run
 * cancelled, killed or failed while its program still registered or logged), its subchannel for
 * `127.0.0.1:<port>` stays in transient failure; a later engine that the kernel gives the same port
 * then gets a client on that subchannel, and the new run's calls fail at once with
 * `14 UNAVAILABLE: No connection established. Last error: null`, reported as the program's error
 * (a one-off failure of the real-engine suite; test/engine/grpc-channels.test.ts reproduces it).
 * Several phases in one `platform` process (`up --all`) are exposed the same way.
 * `grpc.use_local_subchannel_pool` keeps each client's connection its own.
 */
import * as pulumi from '@pulumi/pulumi';

/** The client options the SDK builds its monitor and engine clients with (internal, but exported). */
export function programClientOptions(): Record<string, unknown> | undefined {
  return (pulumi.runtime as unknown as { grpcClientOptions?: Record<string, unknown> }).grpcClientOptions;
}

/** Sets the option on the SDK's shared client options (idempotent). False when the SDK has none. */
export function isolateProgramChannels(): boolean {
  const opts = programClientOptions();
  if (!opts) return false;
  opts['grpc.use_local_subchannel_pool'] = 1;
  return true;
}
