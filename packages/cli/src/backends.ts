/**
 * The backends a command can select with --arch: the built-in ones, plus those loaded with
 * `--backend <module>` (repeatable).
 *
 * `<module>` is a file path when it starts with `.` or `/` (or is absolute), or names an existing
 * file; relative paths are resolved against the current directory. Otherwise it is a package name
 * (with an optional subpath, e.g. `@vfpu/testkit/toy`), resolved as `require.resolve` would from the
 * current directory (the package's `exports` need a `default` or `require` condition). Either way
 * the file is loaded with `import()`.
 *
 * What the module must export (the first rule that finds a backend wins):
 * 1. a default export that is a backend (`specificationVersion: 'v2'`), or a function that,
 *    called with no arguments, returns one;
 * 2. otherwise every named export that is a backend;
 * 3. otherwise every named export that is a function returning a backend when called with no
 *    arguments (functions that throw are skipped).
 * A module that cannot be loaded, that exports no backend, or whose backend's id is taken is a
 * usage error (exit 2).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { armVfp } from '@vfpu/arm-vfp';
import {
  type BackendV2,
  backendProblem,
  findVariant,
  isBackendV2,
  type VariantSpec,
} from '@vfpu/core';
import { didYouMean, unknownChoice } from '@vfpu/core/internal';
import { loongarch } from '@vfpu/loongarch';
import { mipsVz } from '@vfpu/mips-vz';
import { riscv } from '@vfpu/riscv';
import { x86Xfd } from '@vfpu/x86-xfd';
import { UsageError } from './context.js';

/** The built-in backends, in `--arch` default order (the first, mips-vz, runs arch-neutral workloads). */
export const BACKENDS: readonly BackendV2[] = [mipsVz(), armVfp(), x86Xfd(), loongarch(), riscv()];

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n', 1)[0] as string;
}

function resolveModule(spec: string, cwd: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return resolve(cwd, spec);
  const asFile = resolve(cwd, spec);
  if (existsSync(asFile)) return asFile;
  try {
    return createRequire(join(cwd, 'noop.js')).resolve(spec);
  } catch (e) {
    throw new UsageError(`--backend ${spec}: cannot load (${firstLine(e)})`);
  }
}

/** The result of calling `f` with no arguments if it is a backend; errors go to `failures`. */
function fromFactory(f: unknown, failures: string[]): BackendV2 | undefined {
  if (typeof f !== 'function') return undefined;
  try {
    const b: unknown = f();
    return isBackendV2(b) ? b : undefined;
  } catch (e) {
    failures.push(firstLine(e));
    return undefined;
  }
}

function backendsOf(ns: Record<string, unknown>, failures: string[]): BackendV2[] {
  const def = isBackendV2(ns.default) ? ns.default : fromFactory(ns.default, failures);
  if (def !== undefined) return [def];
  const named = Object.entries(ns).filter(([k]) => k !== 'default');
  const objects = named.map(([, v]) => v).filter(isBackendV2);
  if (objects.length > 0) return objects;
  const made: BackendV2[] = [];
  for (const [, v] of named) {
    const b = fromFactory(v, failures);
    if (b !== undefined) made.push(b);
  }
  return made;
}

async function loadModule(spec: string, cwd: string): Promise<BackendV2[]> {
  const file = resolveModule(spec, cwd);
  let ns: Record<string, unknown>;
  try {
    ns = await import(/* @vite-ignore */ pathToFileURL(file).href);
  } catch (e) {
    throw new UsageError(`--backend ${spec}: cannot load (${firstLine(e)})`);
  }
  const failures: string[] = [];
  const found = backendsOf(ns, failures);
  if (found.length === 0) {
    // a backend of another contract version says so, rather than "no backend"
    const other = Object.values(ns)
      .map((x) =>
        typeof x === 'object' && x !== null && 'specificationVersion' in x
          ? backendProblem(x)
          : undefined,
      )
      .find((p) => p !== undefined);
    if (other !== undefined) throw new UsageError(`--backend ${spec}: its backend ${other}`);
    throw new UsageError(
      `--backend ${spec}: exports no backend (specificationVersion 'v2'): expected a default export, a named export or a factory function returning one${failures.length > 0 ? `; a factory threw: ${failures[0]}` : ''}`,
    );
  }
  return found;
}

/** The built-in backends followed by those of `specs`, in order. */
export async function withBackends(
  specs: readonly string[] | undefined,
  cwd: string,
): Promise<readonly BackendV2[]> {
  if (specs === undefined || specs.length === 0) return BACKENDS;
  const all = [...BACKENDS];
  for (const spec of specs) {
    for (const b of await loadModule(spec, cwd)) {
      if (all.some((x) => x.id === b.id))
        throw new UsageError(`--backend ${spec}: backend id "${b.id}" is already taken`);
      all.push(b);
    }
  }
  return all;
}

/**
 * `arch` or `arch:variant` (compare's --arch, sweep's arch key) resolved against the backends;
 * `flag` names the option in the usage error.
 */
export function resolveArchVariant(
  backends: readonly BackendV2[],
  spec: string,
  flag: string,
): { arch: string; variant: string; classMap: VariantSpec['classMap'] } {
  const [arch = '', variant] = spec.split(':');
  const b = backends.find((x) => x.id === arch);
  if (b === undefined)
    throw new UsageError(
      `${flag}: ${unknownChoice(
        'architecture',
        arch,
        backends.map((x) => x.id),
      )}`,
    );
  const v = findVariant(b, variant);
  const ids = b.variants.map((x) => x.id);
  if (v === undefined)
    throw new UsageError(
      `${flag}: ${arch} has no variant "${variant}" (known: ${ids.join(', ')})${didYouMean(String(variant), ids)}`,
    );
  return { arch, variant: v.id, classMap: v.classMap };
}
