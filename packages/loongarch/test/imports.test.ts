/** The package is written against core's public contract: it imports nothing else from core. */
import { fileURLToPath } from 'node:url';
import { importProblems } from '@vfpu/testkit';
import { expect, it } from 'vitest';

it('src imports only @vfpu/core, @vfpu/core/backend-utils, node: and its own files', () => {
  const r = importProblems(fileURLToPath(new URL('../src', import.meta.url)));
  expect(r.files).toBeGreaterThanOrEqual(10);
  expect(r.problems).toEqual([]);
});
