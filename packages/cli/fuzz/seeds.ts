/**
 * The fuzzer's seeds: valid workloads of every variant, loaded once. Every conformance scenario
 * (packages/<backend>/test/scenarios/*.ndjson) and the output of every preset (as `vfpu gen`
 * writes it, a few dozen events) under every variant of every built-in backend.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendV2 } from '@vfpu/core';
import { formatHeader } from '@vfpu/core';
import { formatEvent, PresetGenerator, WorkloadEvent } from '@vfpu/core/internal';
import { BACKENDS } from '../src/backends.js';

export interface Seed {
  readonly name: string;
  /** The lines, without terminators (line 1 is the header). */
  readonly lines: readonly string[];
  readonly backend: BackendV2;
  readonly variant: string;
}

const PRESETS = ['idle', 'desktop', 'hpc', 'io-heavy', 'simd-bursty', 'overcommit'] as const;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function backendOf(arch: string): BackendV2 {
  const b = BACKENDS.find((x) => x.id === arch);
  if (b === undefined) throw new Error(`seed names unknown arch ${arch}`);
  return b;
}

function scenarioSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const pkg of readdirSync(ROOT).sort()) {
    const dir = join(ROOT, pkg, 'test', 'scenarios');
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
    } catch {
      continue;
    }
    for (const f of files.sort()) {
      const lines = readFileSync(join(dir, f), 'utf8').split('\n');
      while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      const h = JSON.parse(lines[0] as string) as { arch: string; variant?: string };
      const backend = backendOf(h.arch);
      seeds.push({
        name: `${pkg}/${f}`,
        lines,
        backend,
        variant: h.variant ?? backend.defaultVariant,
      });
    }
  }
  return seeds;
}

function presetSeed(preset: string, backend: BackendV2, variant: string, events: number): Seed {
  const gen = new PresetGenerator(preset, events, 1, {});
  const v = gen.header.vcpus;
  const threadName = (c: number) =>
    c < 2 * v ? `vmm${c - v}` : (gen.header.threads[c - 2 * v] as string);
  const lines = [
    formatHeader({ ...gen.header, name: `preset:${preset}`, arch: backend.id, variant }),
  ];
  const ev = new WorkloadEvent();
  while (gen.next(ev)) lines.push(formatEvent(ev, threadName));
  return { name: `gen ${preset} ${backend.id}/${variant}`, lines, backend, variant };
}

let cache: Seed[] | undefined;

/** Every seed (scenarios first, then presets × variants), built once. */
export function loadSeeds(): readonly Seed[] {
  if (cache !== undefined) return cache;
  const seeds = scenarioSeeds();
  for (const backend of BACKENDS)
    for (const variant of backend.variants)
      for (const preset of PRESETS) seeds.push(presetSeed(preset, backend, variant.id, 40));
  cache = seeds;
  return seeds;
}
