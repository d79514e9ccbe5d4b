/** The backend contract (v2): types only. The constants and helpers backends use are in backend-utils. */
export type {
  BackendV2,
  ConfigFailure,
  ConfigResult,
  MachineInit,
  OptionSpec,
  TrapGranularity,
  VariantSpec,
} from './backend.js';
export type {
  AccessResult,
  ControlWrites,
  GuestWriteResult,
  Machine,
  MachineHostThreads,
  MachineSyscalls,
  MachineUapi,
  MachineUserRegisters,
  Resume,
} from './machine.js';
export type { CounterId, MachineHost, OpDirection, Tracer, TrapWhere } from './machine-host.js';
export type {
  ControlRegisterSpec,
  ExitReason,
  ExitReasonSpec,
  MachineIds,
  Slice,
  SyscallSpec,
  UserRegisterSpec,
} from './registers.js';
