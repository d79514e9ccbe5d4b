import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/toy.ts'],
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
});
