/** Linux errno values the simulated kernels return, by name. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  EOPNOTSUPP: 95,
} as const;

/** `0`, or `-EPERM` for −1 and so on: a system call's return value as the kernel source writes it. */
export function returnName(ret: number): string {
  if (ret >= 0) return String(ret);
  for (const [name, n] of Object.entries(ERRNO)) if (n === -ret) return `-${name}`;
  return String(ret);
}
