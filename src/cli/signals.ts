/**
 * The CLI's signal handling for a run (used by runCommand in services.ts): the first Ctrl-C or
 * SIGTERM stops the run gracefully, the second forces it, and once the run is over a signal ends the
 * process with 130.
 */
import { PlatformError } from '../core/errors.js';

/**
 * Ctrl-C / SIGTERM: the first asks the run to stop gracefully (in-flight engine operations are told to
 * cancel and awaited); the second forces the stop (see forceExit).
 */
export function installSignals(controller: AbortController, onForce: (sig: string) => void): () => void {
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\n${sig}: stopping gracefully; in-flight operations finish or cancel (press Ctrl-C again to force)\n`);
      controller.abort(new PlatformError('cancelled', `interrupted by ${sig}`));
    } else if (count === 2) {
      onForce(sig);
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    windDownSignals();
  };
}

let windingDown = false;

/**
 * The run is over; a signal while the process winds down ends it with 130, not the default
 * kill-by-signal status. Installed whatever else listens: signal-exit (under execa, which the
 * Automation API uses, and ink) may hold a listener at this moment and drop it a moment later, and
 * while it is the only listener it re-raises the signal to kill the process. Checking for "no
 * listener" here let a second Ctrl-C kill the CLI by SIGINT (kill sweep, fresh-clone CI 2026-11-30).
 */
function windDownSignals(): void {
  if (windingDown) return;
  windingDown = true;
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(130));
}
