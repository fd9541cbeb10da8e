// The exp-rs npm package against math.js, expr-eval and hand-written
// JavaScript, side by side in one node process: single calls, whole batches
// over Float64Array columns, and compile time to the first result. How each
// library is called is in contenders.mjs; the expressions and the
// hand-written functions are in cases.mjs. Before anything is timed, every
// contender's values (through the very loops that are timed) are checked
// against exp-rs.
//
//   node benches/js/bench.mjs            full run: target/js-bench.md and .json
//   node benches/js/bench.mjs --agree    agreement check only (job bench-agree)
//   node benches/js/bench.mjs --arithmetic
//                                        per point only, on the arithmetic-only
//                                        rows: exp-rs codegen ÷ hand-written JS,
//                                        each pass printed (no files written)
//
// Needs the package built (`cargo xtask wasm`) and `npm install` here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, COMPILE_CASE, arithmeticOnly } from './cases.mjs';
import { compileExpRs, contenders, expRsName, tiers, VERSIONS } from './contenders.mjs';
import { markdown } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const agreeOnly = process.argv.includes('--agree');
const arithmetic = process.argv.includes('--arithmetic');

/** Rows of the per-call input columns (a call reads row `i & 1023`). */
const ROWS = 1024;
/** Points of one batch for exp-rs and the hand-written loop. */
const POINTS = 1_000_000;
/** Points the peers' loops cover (their time per point does not depend on it). */
const PEER_POINTS = 100_000;

/**
 * `rows` points of case `c`: column `k` spreads `c.at[k]` over
 * [at, 1.5 × at), in a scrambled order so no two neighbours are alike.
 */
function columns(c, rows) {
  return c.vars.map((_, k) => {
    const col = new Float64Array(rows);
    for (let i = 0; i < rows; i++) col[i] = c.at[k] * (1 + (((i * 37) & 1023) / 1024) * 0.5);
    return col;
  });
}

function close(a, b) {
  return (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Every contender against exp-rs's first tier on every case, through the
 * loops that are timed: the per-call loop's sum, the per-point loop's (or
 * batch's) every value, and the value of a compile from source. exp-rs's
 * tiers must agree bit for bit; the peers and the hand-written JS within
 * 1e-9 (they call the platform's `Math`, exp-rs its own libm).
 */
function agree(tierList) {
  const failures = [];
  let checked = 0;
  const check = (ok, what) => {
    checked++;
    if (!ok) failures.push(what);
  };
  for (const c of CASES) {
    const cols = columns(c, ROWS);
    const all = contenders(c, tierList);
    // The reference: the interpreter (the tier every other test checks).
    const ref = (all.find((l) => l.tier === 'interpreter') ?? all[0]).expression;
    const want = new Float64Array(ROWS);
    for (let i = 0; i < ROWS; i++) want[i] = ref.eval(c.vars.map((_, k) => cols[k][i]));
    const sum = want.reduce((a, b) => a + b, 0);
    for (const lib of all) {
      const exact = lib.tier !== undefined;
      const same = exact ? Object.is : close;
      const got = lib.perCall(cols, ROWS);
      check(same(got, sum), `${lib.name} \`${c.src}\`: per-call sum ${got}, exp-rs ${sum}`);
      const out = new Float64Array(ROWS);
      lib.perPoint(cols, out, ROWS);
      const bad = out.findIndex((v, i) => !same(v, want[i]));
      check(bad < 0, `${lib.name} \`${c.src}\` point ${bad} (${c.vars.map((_, k) => cols[k][bad])}): ${out[bad]}, exp-rs ${want[bad]}`);
      if (lib.compileFirst) {
        const first = lib.compileFirst();
        const at = ref.eval(c.at);
        check(same(first, at), `${lib.name} \`${c.src}\` compiled afresh at ${c.at}: ${first}, exp-rs ${at}`);
      }
      if (lib.tier && lib.expression.stats().tier !== lib.tier) {
        console.log(`note: \`${c.src}\` asked for tier ${lib.tier}, runs ${lib.expression.stats().tier}`);
      }
    }
    for (const lib of all) lib.free();
  }
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
  console.log(`js bench agreement (${tierList.map(expRsName).join(', ')}, math.js, expr-eval, hand-written JS on ${CASES.length} expressions): ${checked} passed, 0 failed`);
}

/** Keeps results alive so no loop is optimised away. */
let sink = 0;

/**
 * Passes over all expressions; each figure is the best over the passes of
 * the best of RUNS runs. Spreading the runs over the whole benchmark keeps
 * a burst of load on a shared machine from deciding a figure.
 */
const PASSES = 3;
/** Runs per figure and pass. */
const RUNS = 3;

/** Best of RUNS runs of `run()`, which does `units` units: ns per unit. */
function best(units, run) {
  let min = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    sink += run();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / units);
  }
  return min;
}

/** Repetitions of `run(n)` that take about `ms` milliseconds (at least 1). */
function calibrate(ms, run) {
  let n = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    sink += run(n);
    const took = Number(process.hrtime.bigint() - t) / 1e6;
    if (took >= ms / 4 || n >= 1 << 26) return Math.max(1, Math.round((n * ms) / Math.max(took, 1e-3)));
    n *= 4;
  }
}

/** Times every contender on case `c`. */
function measure(c, tierList) {
  const row = { src: c.src, vars: c.vars, perCall: {}, perPoint: {}, compile: {}, allocations: {}, moduleSize: {}, runs: {} };
  const small = columns(c, ROWS);
  const big = columns(c, POINTS);
  const out = new Float64Array(POINTS);
  for (const lib of contenders(c, tierList)) {
    const n = calibrate(20, (k) => lib.perCall(small, k));
    row.perCall[lib.name] = best(n, () => lib.perCall(small, n));
    const points = lib.name === 'math.js' || lib.name === 'expr-eval' ? PEER_POINTS : POINTS;
    row.perPoint[lib.name] = best(points, () => (lib.perPoint(big, out, points), out[points - 1]));
    if (lib.compileFirst) {
      const k = calibrate(20, (m) => {
        let s = 0;
        for (let i = 0; i < m; i++) s += lib.compileFirst();
        return s;
      });
      row.compile[lib.name] = best(k, () => {
        let s = 0;
        for (let i = 0; i < k; i++) s += lib.compileFirst();
        return s;
      });
    }
    if (lib.expression) {
      const stats = lib.expression.stats();
      row.allocations[lib.name] = stats.allocationsLastEval;
      row.moduleSize[lib.name] = stats.moduleSize;
      row.runs[lib.name] = stats.tier;
    }
    lib.free();
  }
  return row;
}

/** Compile time to the first result, and module size, for COMPILE_CASE. */
function compileProbe(tierList) {
  const probe = { src: COMPILE_CASE.src, compile: {}, moduleSize: {}, runs: {} };
  for (const tier of tierList) {
    const name = expRsName(tier);
    const once = () => {
      const f = compileExpRs(COMPILE_CASE.src, COMPILE_CASE.vars, tier);
      const r = f.eval(COMPILE_CASE.at);
      f.free();
      return r;
    };
    const k = calibrate(50, (m) => {
      let s = 0;
      for (let i = 0; i < m; i++) s += once();
      return s;
    });
    probe.compile[name] = best(k, () => {
      let s = 0;
      for (let i = 0; i < k; i++) s += once();
      return s;
    });
    const f = compileExpRs(COMPILE_CASE.src, COMPILE_CASE.vars, tier);
    probe.moduleSize[name] = f.stats().moduleSize;
    probe.runs[name] = f.stats().tier;
    f.free();
  }
  return probe;
}

/** `a` with every time (`perCall`, `perPoint`, `compile`) the lower of `a`'s and `b`'s. */
function fastest(a, b) {
  for (const key of ['perCall', 'perPoint', 'compile']) {
    for (const [name, t] of Object.entries(b[key] ?? {})) a[key][name] = Math.min(a[key][name] ?? Infinity, t);
  }
  return a;
}

/**
 * `--arithmetic`: evalBatch on generated code against the hand-written
 * loop, interleaved run by run, on the rows the "within 1.5 × JS" target
 * is about; prints each pass's ratio and the spread.
 */
function arithmeticRatios() {
  const ratios = {};
  for (let pass = 0; pass < PASSES * 2; pass++) {
    // Also the rows whose only function is `sqrt` (an instruction, as in JS).
    for (const c of CASES.filter((k) => arithmeticOnly(k.src.replaceAll('sqrt(', '(')))) {
      const all = contenders(c, ['codegen']);
      const [lib, js] = [all[0], all.find((l) => l.name === 'JS')];
      const big = columns(c, POINTS);
      const out = new Float64Array(POINTS);
      let [a, b] = [Infinity, Infinity];
      for (let r = 0; r < RUNS * 3; r++) {
        a = Math.min(a, best(POINTS, () => (lib.perPoint(big, out, POINTS), out[0])));
        b = Math.min(b, best(POINTS, () => (js.perPoint(big, out, POINTS), out[0])));
      }
      (ratios[c.src] ??= []).push(a / b);
      console.log(`pass ${pass + 1}: \`${c.src}\` ${a.toFixed(2)} / ${b.toFixed(2)} ns = ${(a / b).toFixed(2)}`);
      for (const l of all) l.free();
    }
  }
  for (const [src, r] of Object.entries(ratios)) {
    const sorted = [...r].sort((x, y) => x - y);
    console.log(`\`${src}\`: median ${sorted[sorted.length >> 1].toFixed(2)}, min ${sorted[0].toFixed(2)}, max ${sorted[sorted.length - 1].toFixed(2)}`);
  }
}

const tierList = tiers();
const loadBefore = loadavg()[0];
agree(tierList);
if (arithmetic) {
  arithmeticRatios();
} else if (!agreeOnly) {
  const rows = [];
  let probe = null;
  for (let pass = 0; pass < PASSES; pass++) {
    CASES.forEach((c, i) => {
      const row = measure(c, tierList);
      rows[i] = rows[i] ? fastest(rows[i], row) : row;
      console.log(`pass ${pass + 1}/${PASSES}`, JSON.stringify(row));
    });
    const p = compileProbe(tierList);
    probe = probe ? fastest(probe, p) : p;
  }
  console.log(JSON.stringify(probe));
  const run = { node: process.version, versions: VERSIONS, tiers: tierList, points: POINTS, peerPoints: PEER_POINTS, passes: PASSES, runs: RUNS, rows, probe, load: [loadBefore, loadavg()[0]], cores: cpus().length };
  const dir = join(here, '../../target');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'js-bench.json'), `${JSON.stringify(run, null, 1)}\n`);
  writeFileSync(join(dir, 'js-bench.md'), markdown(run));
  console.log(`wrote ${join(dir, 'js-bench.md')} (sink ${sink !== 0})`);
}
