// Benchmark of `vfpu import` (not part of CI): generates a synthetic x86 `trace-cmd report` of
// N lines, imports it measuring wall time and peak RSS (/usr/bin/time -v), then runs `vfpu run`
// on the result the same way, and reports both throughputs in workload events per second.
//
//   node scripts/bench-import.mjs [--lines N | --gb G (default 1)] [--repeat R] [--keep] [--dir DIR]
//
// With --repeat R the import and the run alternate R times; medians are reported, and the median
// of the pairs' ratios (an even R reports the lower middle). The import frames on a second
// thread (VFPU_IMPORT_THREADS=1: one thread).
// Needs a build (packages/cli/dist). Acceptance (issue 14): 1 GB in flat memory, and the import
// at least as fast as the run of what it writes.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const BIN = new URL('../packages/cli/dist/bin.js', import.meta.url).pathname;
if (!existsSync(BIN)) {
  console.error(`no ${BIN}: run bash scripts/pnpm.sh run build first`);
  process.exit(2);
}
const dir = opt('--dir') ?? mkdtempSync(join(tmpdir(), 'vfpu-bench-import-'));
// default: 1 GiB, the acceptance's trace (issue 14)
const gb = opt('--gb') ?? (opt('--lines') === undefined ? '1' : undefined);
const AVG_LINE = 127; // bytes per generated line, about
const lines =
  gb !== undefined
    ? Math.round((Number(gb) * 2 ** 30) / AVG_LINE)
    : Number(opt('--lines') ?? 1_000_000);

// --- the synthetic trace: 4 vCPUs on 4 pCPUs, Linux 6.x x86 print formats --------------------
const VCPUS = 4;
const trace = join(dir, 'trace.txt');
function generate() {
  const fd = openSync(trace, 'w');
  let buf = 'cpus=4\n';
  let n = 0;
  let t = 1000;
  const rip = '0xffffffff81a0b2c4';
  const exit = (v, reason, intr = '0x00000000') =>
    `vcpu ${v} reason ${reason} rip ${rip} info1 0x0000000000000000 info2 0x0000000000000000 intr_info ${intr} error_code 0x00000000`;
  const line = (v, event, body) => {
    t += 0.0000013;
    const comm = `CPU ${v}/KVM-${3000 + v}`;
    buf += `${comm.padStart(16)} [${String(v).padStart(3, '0')}] d..2. ${t.toFixed(6)}: ${`${event}:`.padEnd(22)}${body}\n`;
    n++;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  };
  for (let round = 0; n < lines; round++) {
    const v = round % VCPUS;
    line(v, 'kvm_fpu', 'load');
    line(v, 'kvm_entry', `vcpu ${v}, rip ${rip}`);
    line(v, 'kvm_exit', exit(v, 'EXTERNAL_INTERRUPT', '0x800000ec'));
    line(v, 'kvm_entry', `vcpu ${v}, rip ${rip}`);
    line(v, 'kvm_exit', exit(v, 'MSR_WRITE'));
    line(v, 'kvm_entry', `vcpu ${v}, rip ${rip}`);
    if (round % 7 === 0) {
      line(v, 'kvm_exit', exit(v, 'EXCEPTION_NMI', '0x80000307'));
      line(v, 'kvm_entry', `vcpu ${v}, rip ${rip}`);
    }
    line(v, 'kvm_exit', exit(v, 'IO_INSTRUCTION'));
    line(v, 'kvm_pio', 'pio_write at 0x70 size 1 count 1 val 0x8f ');
    line(v, 'kvm_fpu', 'unload');
    line(v, 'kvm_userspace_exit', 'reason KVM_EXIT_IO (2)');
    if (round % 5 === 0) {
      line(
        v,
        'sched_switch',
        `prev_comm=CPU ${v}/KVM prev_pid=${3000 + v} prev_prio=120 prev_state=S ==> next_comm=kworker/${v}:1 next_pid=${90 + v} next_prio=120`,
      );
      line(
        v,
        'sched_switch',
        `prev_comm=kworker/${v}:1 prev_pid=${90 + v} prev_prio=120 prev_state=I ==> next_comm=CPU ${v}/KVM next_pid=${3000 + v} next_prio=120`,
      );
    }
  }
  writeSync(fd, buf);
  closeSync(fd);
  return n;
}

const REPEAT = Number(opt('--repeat') ?? 1);
const median = (xs) => [...xs].sort((x, y) => x - y)[(xs.length - 1) >> 1];

function measuredOnce(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]);
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error(`vfpu ${argv[0]} exited ${r.status}`);
  }
  return {
    secs,
    cpu: user + sys,
    rssMiB: rss ? Number(rss[1]) / 1024 : Number.NaN,
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

const g0 = Date.now();
const n = generate();
const bytes = statSync(trace).size;
console.log(
  `trace: ${n.toLocaleString('en-US')} lines, ${(bytes / 2 ** 20).toFixed(0)} MiB (generated in ${((Date.now() - g0) / 1000).toFixed(1)} s)`,
);

// paired runs, alternating (import, run): medians of each, and the median of the pairs' ratios
const workload = join(dir, 'workload.ndjson');
const pairs = [];
for (let i = 0; i < REPEAT; i++) {
  const imp = measuredOnce(['import', trace, '-o', workload]);
  const run = measuredOnce(['run', workload, '--json']);
  pairs.push({ imp, run });
}
const last = pairs[pairs.length - 1];
const events = Number(/→ (\d+) workload lines/.exec(last.imp.stderr)?.[1] ?? Number.NaN) - 1;
const m = (f) => median(pairs.map(f));
const impSecs = m((p) => p.imp.secs);
const runSecs = m((p) => p.run.secs);
console.log(
  `import: ${impSecs.toFixed(2)} s, peak RSS ${m((p) => p.imp.rssMiB).toFixed(0)} MiB, ${(n / impSecs / 1e6).toFixed(2)} M trace lines/s, ${(events / impSecs / 1e6).toFixed(2)} M workload events/s`,
);
console.log(
  `run (kvm policy): ${runSecs.toFixed(2)} s, peak RSS ${m((p) => p.run.rssMiB).toFixed(0)} MiB, ${(events / runSecs / 1e6).toFixed(2)} M workload events/s, violations ${JSON.parse(last.run.stdout).check.violations}`,
);
console.log(
  `import/run throughput (median of ${REPEAT} alternating pairs): ${m((p) => p.run.secs / p.imp.secs).toFixed(2)}× in wall time, ${m((p) => p.run.cpu / p.imp.cpu).toFixed(2)}× in CPU time (user + sys: ${m((p) => p.imp.cpu).toFixed(2)} s vs ${m((p) => p.run.cpu).toFixed(2)} s); ≥ 1 means the import is at least as fast as the run`,
);
if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
