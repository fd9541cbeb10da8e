// The JS section of BENCHMARKS.md, from one run of bench.mjs (xtask splices
// it in). Every ratio and target verdict is computed here from the
// measured times; nothing is typed in by hand.

import { tokens, arithmeticOnly } from './cases.mjs';
import { expRsName } from './contenders.mjs';

const PEERS = ['math.js', 'expr-eval'];

/** Per call: exp-rs `eval` ÷ the best peer's time, geometric mean. */
export const TARGET_CALL = 0.25;
/** Per point: the best peer's time ÷ evalBatch's, geometric mean. */
export const TARGET_POINT = 30;
/** Per point: evalBatch ÷ hand-written JS on arithmetic-only rows, every row. */
export const TARGET_JS = 1.5;
/** Compile to first result for the ~50-token expression, µs. */
export const TARGET_COMPILE_US = 100;
/** Generated module for that expression, bytes. */
export const TARGET_MODULE = 1024;

const geo = (v) => Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / Math.max(1, v.length));
const ns = (x) => (x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const us = (x) => (x === undefined ? '–' : (x / 1000).toFixed(x >= 100_000 ? 0 : 1));
const times = (x) => `${x >= 10 ? x.toFixed(0) : x.toFixed(2)} ×`;
const code = (s) => `\`${s.replace(/\|/g, '\\|')}\``;
const bestPeer = (m) => Math.min(...PEERS.map((p) => m[p]));
const verdict = (ok) => (ok ? 'met' : '**not met**');

/** The ratios the targets speak of, for one exp-rs column `name`. */
export function ratios(run, name) {
  const call = run.rows.map((r) => r.perCall[name] / bestPeer(r.perCall));
  const point = run.rows.map((r) => bestPeer(r.perPoint) / r.perPoint[name]);
  const arith = run.rows.filter((r) => arithmeticOnly(r.src)).map((r) => ({ src: r.src, ratio: r.perPoint[name] / r.perPoint.JS }));
  const worst = arith.reduce((a, b) => (b.ratio > a.ratio ? b : a), arith[0]);
  return { call: geo(call), point: geo(point), arith, worst, arithGeo: geo(arith.map((a) => a.ratio)) };
}

/** Markdown for `run` (the JSON bench.mjs writes). */
export function markdown(run) {
  const ours = run.tiers.map(expRsName);
  const hasTiers = run.tiers[0] !== null;
  const cols = [...ours, ...PEERS, 'JS'];
  const head = (first, names) => [`| ${[first, ...names].join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`];
  const L = [];
  L.push(
    `## JavaScript (node ${run.node}): the npm package against math.js ${run.versions.mathjs}, expr-eval ${run.versions.exprEval} and hand-written JS\n`,
    'How each is called (benches/js/contenders.mjs):\n',
    '- **exp-rs** `eval` exactly as the README shows it: `f.eval([x, y, z])`, a new array literal per call; `evalBatch` once over whole `Float64Array` columns into an output array' +
      (hasTiers
        ? ", compiled with `{ tier: 'codegen' }` (a WebAssembly module generated for the expression) and with `{ tier: 'interpreter' }`, in separate columns."
        : '. This build of the package has no `tier` option: the interpreter is its only tier.'),
    '- **math.js** `compile(src)` once, then `code.evaluate(scope)`; **expr-eval** `parser.parse(src)` once, then `expr.evaluate(scope)`. Each gets ONE scope object per expression, and the loop assigns its fields (`scope.x = x`) before every call, as their users write it. (Earlier versions of this benchmark passed the peers an array that a wrapper copied into the scope on every call: that charged them a cost their users do not pay, and has been removed.)',
    '- **JS**: the expression written as a plain JavaScript function (`Math.sin`, `**`), called once per point, and the `for` loop a programmer would write over the same `Float64Array` columns (benches/js/cases.mjs).',
    '',
    `Every timing loop is generated for one library on one expression, so V8 optimises it as it would a user's own code. Inputs change on every call (1,024 rows, scrambled). Each figure is the best of ${run.runs} runs in each of ${run.passes} passes over all expressions (a shared machine's bursts of load do not decide a figure).${run.load ? ` Load average when the run began and ended: ${run.load.map((l) => l.toFixed(1)).join(' and ')} on ${run.cores} cores; above the core count, every figure here is inflated by waiting for a core, the fastest rows most.` : ''} Per point: exp-rs and the JS loop cover ${run.points.toLocaleString('en-US')} points per run, the peers ${run.peerPoints.toLocaleString('en-US')} (their time per point does not depend on the count). Before timing, the values of every contender, through the very loops that are timed, were checked against exp-rs (\`cargo xtask test --only bench-agree\`)${hasTiers ? '; the two exp-rs tiers agree bit for bit' : ''}.\n`,
  );
  L.push('### Per call, ns\n', ...head('expression', [...cols.map((c) => (c === 'JS' ? 'hand-written JS' : c)), ...ours.map((o) => `${o} ÷ best peer`)]));
  for (const r of run.rows) {
    L.push(`| ${code(r.src)} | ${cols.map((c) => ns(r.perCall[c])).join(' | ')} | ${ours.map((o) => (r.perCall[o] / bestPeer(r.perCall)).toFixed(2)).join(' | ')} |`);
  }
  L.push('', '### Per point, ns (evalBatch; the peers and JS in a loop)\n', ...head('expression', [...cols.map((c) => (c === 'JS' ? 'hand-written JS' : c)), ...ours.map((o) => `best peer ÷ ${o}`), ...ours.map((o) => `${o} ÷ JS`)]));
  for (const r of run.rows) {
    const p = r.perPoint;
    L.push(
      `| ${code(r.src)} | ${cols.map((c) => ns(p[c])).join(' | ')} | ${ours.map((o) => times(bestPeer(p) / p[o])).join(' | ')} | ${ours.map((o) => (p[o] / p.JS).toFixed(2)).join(' | ')} |`,
    );
  }
  L.push('', '### Compile from source to the first result, µs\n', ...head('expression', [...ours, ...PEERS, ...(hasTiers ? ['generated module, bytes'] : []), 'allocations/eval']));
  for (const r of run.rows) {
    const mod = hasTiers ? [String(r.moduleSize[expRsName('codegen')] ?? '–')] : [];
    L.push(`| ${code(r.src)} | ${[...ours, ...PEERS].map((c) => us(r.compile[c])).join(' | ')} | ${[...mod, ours.map((o) => r.allocations[o]).join(' / ')].join(' | ')} |`);
  }
  const fell = run.rows.filter((r) => ours.some((o, i) => run.tiers[i] && r.runs[o] !== run.tiers[i]));
  if (fell.length) {
    L.push('', `Asked for a tier that did not run (the package fell back): ${fell.map((r) => code(r.src)).join(', ')}.`);
  }

  // Targets.
  const pr = run.probe;
  const n = tokens(pr.src);
  L.push('', '### Targets\n', '| target | exp-rs column | measured | |', '|---|---|---|---|');
  for (const o of ours) {
    const q = ratios(run, o);
    L.push(
      `| per call: \`eval\` ≤ ${TARGET_CALL} × the best peer's time (geometric mean, ${run.rows.length} expressions) | ${o} | ${q.call.toFixed(2)} × | ${verdict(q.call <= TARGET_CALL)} |`,
      `| per point: evalBatch ≥ ${TARGET_POINT} × faster than the best peer (geometric mean) | ${o} | ${q.point.toFixed(1)} × | ${verdict(q.point >= TARGET_POINT)} |`,
      `| per point: evalBatch ≤ ${TARGET_JS} × hand-written JS on the ${q.arith.length} arithmetic-only expressions | ${o} | worst ${q.worst.ratio.toFixed(2)} × (${code(q.worst.src)}), geometric mean ${q.arithGeo.toFixed(2)} × | ${verdict(q.worst.ratio <= TARGET_JS)} |`,
    );
  }
  for (const o of ours) {
    const t = pr.compile[o];
    L.push(`| compile to first result ≤ ${TARGET_COMPILE_US} µs, ${n}-token expression | ${o} | ${us(t)} µs | ${verdict(t / 1000 <= TARGET_COMPILE_US)} |`);
  }
  if (hasTiers) {
    const size = pr.moduleSize[expRsName('codegen')];
    L.push(`| generated module ≤ ${TARGET_MODULE} bytes for that expression | exp-rs codegen | ${size} bytes | ${verdict(size <= TARGET_MODULE)} |`);
  } else {
    L.push('| generated module ≤ 1 KB | – | not measurable: this build has no code-generation tier | **not met** |');
  }
  L.push('', `The ${n}-token expression: ${code(pr.src)} (compiled, evaluated once, freed; warm, best of all runs).`);
  const first = run.rows[0];
  L.push(
    '',
    `What a call costs beyond the formula: on ${code(first.src)}, ${ours
      .map((o) => `${o} takes ${ns(first.perCall[o])} ns per \`eval\` call and ${ns(first.perPoint[o])} ns per point inside one \`evalBatch\``)
      .join('; ')}. An \`eval\` call pays the JS↔wasm crossing and reads and checks its argument array every time; \`evalBatch\` pays that once per batch. V8 inlines the hand-written function into its loop; it cannot inline a call into a wasm module.`,
  );
  return `${L.join('\n')}\n`;
}
