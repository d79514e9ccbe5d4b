import { vitestConfig } from '../../vitest.base.ts';

export default vitestConfig('@vfpu/x86-xfd');
