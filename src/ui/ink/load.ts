/**
 * Loads the ink host with React's production build.
 *
 * React, react-reconciler and their JSX runtime pick their build when first loaded, from
 * `process.env.NODE_ENV`: unset means the development build, which checks every element, keeps
 * component stacks and logs each render for the profiler. In the live UI that made a frame of a busy
 * phase cost several times what it does in production (bench/ui.mjs measures both). The CLI is not a
 * React app with a bundler to set it, so the loader sets `NODE_ENV=production` just for the import and
 * restores the environment afterwards: Pulumi programs, the engine and anything else the CLI starts
 * inherit the user's environment unchanged. A user's own NODE_ENV (e.g. `development` to debug the
 * UI) is respected.
 */
import type { createInkHost as CreateInkHost } from './ink-host.js';

export async function loadInkHost(env: NodeJS.ProcessEnv = process.env): Promise<typeof CreateInkHost> {
  const set = env.NODE_ENV === undefined;
  if (set) env.NODE_ENV = 'production';
  try {
    return (await import('./ink-host.js')).createInkHost;
  } finally {
    if (set) delete env.NODE_ENV;
  }
}
