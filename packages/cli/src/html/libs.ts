/**
 * The chart libraries the page inlines: vega, vega-lite and vega-embed's minified builds, read
 * from node_modules (their versions pinned in package.json), so the page needs no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Library {
  readonly name: string;
  readonly version: string;
  /** The minified build, safe inside a `<script>` element. */
  readonly code: string;
}

const LIBRARIES = ['vega', 'vega-lite', 'vega-embed'] as const;

let cached: readonly Library[] | undefined;

export function chartLibraries(): readonly Library[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  cached = LIBRARIES.map((name) => {
    // each package's entry point is in its build/ directory, beside NAME.min.js
    const build = dirname(require.resolve(name));
    const pkg = JSON.parse(readFileSync(join(build, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const code = readFileSync(join(build, `${name}.min.js`), 'utf8')
      .replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n') // no map to fetch
      .replace(/<\/(script)/gi, '<\\/$1');
    return { name, version: pkg.version, code };
  });
  return cached;
}
