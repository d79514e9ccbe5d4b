import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    internal: 'src/internal.ts',
    'backend-utils/index': 'src/backend-utils/index.ts',
  },
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
  splitting: true,
});
