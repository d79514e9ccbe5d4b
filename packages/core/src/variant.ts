/** Finding a backend's variant, and telling a backend written against this contract from others. */
import type { BackendV2, VariantSpec } from './contract/backend.js';

/** The backend's variant with this id (its `defaultVariant` when `id` is undefined), or undefined. */
export function findVariant(backend: BackendV2, id: string | undefined): VariantSpec | undefined {
  const want = id ?? backend.defaultVariant;
  return backend.variants.find((v) => v.id === want);
}

/** Is `x` a backend of contract v2? */
export function isBackendV2(x: unknown): x is BackendV2 {
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as { specificationVersion?: unknown }).specificationVersion === 'v2'
  );
}

/** Why `x` is not a usable backend (an older contract, or not a backend at all), or undefined. */
export function backendProblem(x: unknown): string | undefined {
  if (isBackendV2(x)) return undefined;
  const v = (x as { specificationVersion?: unknown } | null)?.specificationVersion;
  if (typeof v === 'string')
    return `implements backend contract ${v}; this vfpu needs v2 (see @vfpu/core's contract and the toy backend)`;
  return 'is not a backend (no specificationVersion "v2")';
}
