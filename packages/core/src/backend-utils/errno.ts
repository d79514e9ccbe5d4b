/** Linux errno values the simulated kernels return, by name. */
export const ERRNO = {
  /** Operation not permitted. */
  EPERM: 1,
  /** No such file or directory (or entry). */
  ENOENT: 2,
  /** Argument list too long. */
  E2BIG: 7,
  /** Out of memory. */
  ENOMEM: 12,
  /** Bad address. */
  EFAULT: 14,
  /** Device or resource busy. */
  EBUSY: 16,
  /** Invalid argument. */
  EINVAL: 22,
  /** Operation not supported. */
  EOPNOTSUPP: 95,
} as const;

/** `0`, or `-EPERM` for −1 and so on: a system call's return value as the kernel source writes it. */
export function returnName(ret: number): string {
  if (ret >= 0) return String(ret);
  for (const [name, n] of Object.entries(ERRNO)) if (n === -ret) return `-${name}`;
  return String(ret);
}
