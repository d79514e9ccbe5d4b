/**
 * `@vfpu/core/backend-utils`: what backends call: named hook results, byte and slice helpers,
 * errno values, the exit table, option checks. The types they implement are in the contract.
 */
export { byteArrays, copyStrided, readU32, slice, sliceTable, writeU32 } from './bytes.js';
export { estimates } from './costs.js';
export { ERRNO, returnName } from './errno.js';
export {
  EXIT_REASONS,
  EXITS_TO_USERSPACE,
  type ExitRow,
  exitTable,
  takeExit,
} from './exit-table.js';
export { idOf } from './ids.js';
export {
  badBitList,
  configFailure,
  faultFlags,
  isConfigObject,
  resolveQuirksAndFaults,
  unknownOption,
} from './options.js';
export {
  EXECUTES,
  NO_EXIT,
  NOT_EXECUTED,
  RESUME_GUEST,
  RESUME_HOST,
  ROOT_TRAP,
} from './results.js';
