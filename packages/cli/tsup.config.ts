import { defineConfig } from 'tsup';
import { tsupConfig } from '../../tsup.base.ts';

export default defineConfig(
  tsupConfig(['src/index.ts', 'src/bin.ts', 'src/jobs-worker.ts', 'src/import-worker.ts']),
);
