/**
 * `--policy-module <file.js>` (repeatable): policies from outside, run everywhere a built-in runs
 * (run, compare, sweep, the --jobs workers, which load the module themselves). The module's
 * default export, or its `policy` / `policies` export, is a `PolicyDefinition` or an array of
 * them; `--policy NAME` then selects one by its `name`. A file that cannot be loaded or exports
 * no policy is a usage error (exit 2) naming the file.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PolicyDefinition } from '@vfpu/core';
import { UsageError } from './context.js';

function isDefinition(x: unknown): x is PolicyDefinition {
  const d = x as Partial<PolicyDefinition> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.name === 'string' &&
    d.name !== '' &&
    typeof d.create === 'function' &&
    typeof d.description === 'string' &&
    typeof d.origin === 'string' &&
    typeof d.params === 'object' &&
    d.params !== null
  );
}

/** The policies of each module file, in order (paths relative to the current directory). */
export async function loadPolicyModules(
  files: readonly string[] | undefined,
): Promise<PolicyDefinition[]> {
  const out: PolicyDefinition[] = [];
  for (const file of files ?? []) {
    const path = isAbsolute(file) ? file : resolve(process.cwd(), file);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split('\n', 1)[0];
      throw new UsageError(`--policy-module ${file}: cannot load (${why})`);
    }
    const found = [mod.default, mod.policy, mod.policies]
      .flatMap((x) => (Array.isArray(x) ? x : [x]))
      .filter((x) => x !== undefined);
    const bad = found.filter((x) => !isDefinition(x));
    if (found.length === 0 || bad.length > 0)
      throw new UsageError(
        `--policy-module ${file}: the default, \`policy\` or \`policies\` export must be a PolicyDefinition (name, description, origin, params, create()) or an array of them`,
      );
    out.push(...(found as PolicyDefinition[]));
  }
  return out;
}
