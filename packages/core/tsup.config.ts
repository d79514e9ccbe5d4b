import { defineConfig } from 'tsup';
import { tsupConfig } from '../../tsup.base.ts';

export default defineConfig(
  tsupConfig({
    index: 'src/index.ts',
    internal: 'src/internal.ts',
    'backend-utils/index': 'src/backend-utils/index.ts',
    'replay-worker': 'src/replay-worker.ts',
  }),
);
