/** The tsup options every package builds with; each package's tsup.config.ts names its entries. */
import type { Options } from 'tsup';

/** `entry`: source files, or output name → source file (for entries in subfolders). */
export function tsupConfig(entry: readonly string[] | Readonly<Record<string, string>>): Options {
  return {
    entry: Array.isArray(entry) ? [...entry] : { ...entry },
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
    // entries of one package share their common modules (one copy of each class)
    splitting: true,
  };
}
