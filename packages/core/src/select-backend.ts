/**
 * Which backend and variant run a workload: the header's, else the request's (`--arch`,
 * `--variant`), else the default. A mistake is named where it was made: the header's field
 * (file, line, field) or the request's option (`--arch`, `--variant`).
 */
import type { BackendV2, VariantSpec } from './contract/backend.js';
import { InputError } from './errors.js';
import { didYouMean, nearChoices, unknownChoice } from './suggest.js';
import { findVariant } from './variant.js';
import type { WorkloadHeader } from './workload/parse-header.js';

export interface Selected {
  readonly backend: BackendV2;
  readonly variant: VariantSpec;
}

interface Wanted {
  readonly arch?: string | undefined;
  readonly variant?: string | undefined;
  readonly backends: readonly BackendV2[];
}

/**
 * The backends that have a variant `id`. With no arch anywhere, a variant the user names picks
 * its backend when exactly one backend has it (`--variant arm64-e5` runs arm-vfp): variant ids
 * name kernels, and a unique one cannot mean anything else; when several have it, the user
 * must say which (`--arch`).
 */
function backendsWithVariant(backends: readonly BackendV2[], id: string): BackendV2[] {
  return backends.filter((b) => b.variants.some((v) => v.id === id));
}

/**
 * What to suggest for an unknown variant `v` of `backend`: the backend that has it (`--arch
 * arm-vfp`), else a near variant of this backend, else a near variant of another one.
 */
function variantHint(backends: readonly BackendV2[], backend: BackendV2, v: string): string {
  const others = backends.filter((b) => b !== backend);
  const having = others.filter((b) => b.variants.some((x) => x.id === v));
  if (having.length > 0)
    return `; it is a variant of ${having.map((b) => b.id).join(', ')} (--arch ${(having[0] as BackendV2).id})`;
  const own = didYouMean(
    v,
    backend.variants.map((x) => x.id),
  );
  if (own !== '') return own;
  for (const b of others) {
    const near = nearChoices(
      v,
      b.variants.map((x) => x.id),
    )[0];
    if (near !== undefined) return `; did you mean --arch ${b.id} --variant ${near}?`;
  }
  return '';
}

export function selectBackend(
  header: WorkloadHeader,
  req: Wanted,
  file: string,
  headerLine: number,
): Selected {
  if (header.arch !== undefined && req.arch !== undefined && header.arch !== req.arch) {
    throw new InputError(
      file,
      headerLine,
      'arch',
      `the workload is for ${header.arch}, but --arch ${req.arch} was given`,
    );
  }
  if (header.variant !== undefined && req.variant !== undefined && header.variant !== req.variant) {
    throw new InputError(
      file,
      headerLine,
      'variant',
      `the workload is for variant ${header.variant}, but --variant ${req.variant} was given`,
    );
  }
  const ids = req.backends.map((b) => b.id);
  // where each choice was made: the header (file:line: field) or the request (--option)
  const archAt = (detail: string) =>
    header.arch !== undefined
      ? new InputError(file, headerLine, 'arch', detail)
      : new InputError('--arch', 0, '', detail);
  const variantAt = (detail: string) =>
    header.variant !== undefined
      ? new InputError(file, headerLine, 'variant', detail)
      : new InputError('--variant', 0, '', detail);
  const wantedVariant = header.variant ?? req.variant;
  let arch = header.arch ?? req.arch;
  if (arch === undefined && wantedVariant !== undefined) {
    const having = backendsWithVariant(req.backends, wantedVariant);
    if (having.length === 1) arch = (having[0] as BackendV2).id;
    else if (having.length > 1)
      throw variantAt(
        `variant "${wantedVariant}" is a variant of ${having.map((b) => b.id).join(' and ')}: give --arch`,
      );
  }
  // an arch-neutral workload without --arch runs on the first backend given (the default arch)
  if (arch === undefined && req.backends.length > 0) arch = (req.backends[0] as BackendV2).id;
  const backend = req.backends.find((b) => b.id === arch);
  if (backend === undefined) throw archAt(unknownChoice('arch', String(arch), ids));
  const variant = findVariant(backend, wantedVariant);
  if (variant === undefined) {
    const v = String(wantedVariant);
    const known = backend.variants.map((x) => x.id);
    throw variantAt(
      `unknown variant "${v}" of ${backend.id} (known: ${known.join(', ')})${variantHint(req.backends, backend, v)}`,
    );
  }
  return { backend, variant };
}
