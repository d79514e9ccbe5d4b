// Prints one closing line for the whole suite, summed over every package's vitest JSON report.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
let packages = 0;
for (const dir of ['packages', 'examples']) {
  for (const name of readdirSync(dir)) {
    const file = `${dir}/${name}/test-results.json`;
    if (!existsSync(file)) continue;
    const r = JSON.parse(readFileSync(file, 'utf8'));
    packages++;
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  }
}
console.log(`test results from ${packages} packages:`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (packages === 0 || passed === 0 || failed > 0) process.exit(1);
