/** The named values hooks return (their types are in the contract). */
import type { AccessResult, GuestWriteResult, Resume } from '../contract/machine.js';

/** Exit and trap handlers: back into the guest (the kernel's RESUME_GUEST). */
export const RESUME_GUEST: Resume = 0;
/** Exit and trap handlers: KVM_RUN returns to userspace (RESUME_HOST). */
export const RESUME_HOST: Resume = 2;
/** A guest control-register write that completed inside the guest, without an exit. */
export const NO_EXIT: GuestWriteResult = 1;

/** `guestAccess`: the instruction executes. */
export const EXECUTES: AccessResult = 0;
/** `guestAccess`: the instruction traps to the hypervisor; core calls `handleTrap`. */
export const ROOT_TRAP: AccessResult = 1;
/** `guestAccess`: an exception taken inside the guest, or a failed condition. */
export const NOT_EXECUTED: AccessResult = 2;
