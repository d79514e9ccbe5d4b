/**
 * `npm run fuzz -- --runs N [--seed S] [--mode mutate|valid|all] [--only CLASS,…]`: the
 * project's own fuzzer (`--only`: some mutation classes, named as in the summary).
 * `mutate`: structured mutations of valid workloads through the in-process CLI (campaign.ts);
 * `valid`: random valid workloads × every policy (valid.ts); `all` (default): both. Prints a
 * summary; exits 1 on any crash, hang, bad input accepted, bad message, leftover file or
 * nondeterminism (findings — violations on mutants that parsed — are listed, not failures).
 */
import { runCampaign } from './campaign.js';
import { runValid } from './valid.js';

function usage(msg: string): never {
  process.stderr.write(
    `fuzz: ${msg}\nusage: npm run fuzz -- --runs N [--seed S] [--mode mutate|valid|all] [--only CLASS,…]\n`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let runs = 1000;
let seed = 1;
let mode = 'all';
let only: string[] | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const v = args[i + 1];
  if (a === '--') continue;
  if (a === '--runs' || a === '--seed') {
    if (v === undefined || !/^\d+$/.test(v)) usage(`${a} needs a non-negative integer`);
    if (a === '--runs') runs = Number(v);
    else seed = Number(v);
    i++;
  } else if (a === '--only') {
    if (v === undefined) usage('--only needs a comma-separated list of mutation classes');
    only = v.split(',');
    i++;
  } else if (a === '--mode') {
    if (v !== 'mutate' && v !== 'valid' && v !== 'all') usage('--mode is mutate, valid or all');
    mode = v;
    i++;
  } else usage(`unknown argument ${a}`);
}

let failed = false;
if (mode === 'mutate' || mode === 'all') {
  const r = await runCampaign({
    runs,
    seed,
    progressEvery: runs >= 5000 ? 5000 : 0,
    ...(only ? { only } : {}),
  });
  process.stdout.write(`${r.lines.join('\n')}\n`);
  failed ||= r.failed;
}
if (mode === 'valid' || mode === 'all') {
  const r = await runValid({ runs, seed });
  process.stdout.write(`${r.lines.join('\n')}\n`);
  failed ||= r.failed;
}
process.exitCode = failed ? 1 : 0;
