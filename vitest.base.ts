/** The vitest config every package tests with; each package's vitest.config.ts gives its name. */
import { defineConfig } from 'vitest/config';

// Resolve workspace packages to their TypeScript sources (no build needed to test).
const conditions = ['@vfpu/source', 'module', 'node', 'development|production'];

export function vitestConfig(name: string) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      pool: 'threads',
      maxWorkers: 2,
      // whole simulator runs (1–4 s alone) must not fail on a busy 2-core machine
      testTimeout: 30_000,
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    },
  });
}
