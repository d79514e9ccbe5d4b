/** The tsup options every package builds with; each package's tsup.config.ts names its entries. */
import type { Options } from 'tsup';

export function tsupConfig(entry: readonly string[]): Options {
  return {
    entry: [...entry],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: {
      // Resolve workspace dependencies to their built .d.ts (built first by turbo's ^build),
      // not to their sources via the '@vfpu/source' condition.
      compilerOptions: { customConditions: [] },
    },
    sourcemap: true,
    clean: true,
    splitting: false,
  };
}
