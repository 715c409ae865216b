/**
 * The NDJSON host (`--json`): every event as one JSON line on stdout, the run-finished event last.
 * Events are already masked, so nothing secret can reach this stream. It never asks: confirm()
 * returns the default answer (destructive questions default to no; `--yes` is the way to agree).
 */
import type { PlatformEvent } from '../core/events.js';
import type { ConfirmRequest, Host } from '../core/ports.js';

export class JsonHost implements Host {
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  notify(event: PlatformEvent): void {
    this.stdout.write(JSON.stringify(event) + '\n');
  }

  async confirm(req: ConfirmRequest): Promise<boolean> {
    return req.defaultAnswer;
  }

  async close(): Promise<void> {}
}
