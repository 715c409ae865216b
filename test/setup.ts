/**
 * Loaded before every spec file (.mocharc.json "require"). CI runs the suites with CI=true, and ink
 * decides at import time whether it is in CI (then it draws only the final frame, no live updates):
 * the in-process ink host tests need a terminal-like ink, so the test process itself is not "in CI".
 * Tests that run the CLI as a subprocess set CI themselves (test/cli/helpers.ts).
 */
for (const key of Object.keys(process.env)) {
  if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete process.env[key];
}
