// The two tiers side by side (issue #13's figures; a report, not a timed
// test): `node wasm/bench/tiers.mjs` after `cargo xtask wasm`. Prints, per
// tier, the time from source to first result for a 50-token expression,
// the generated module's size, ns per `eval` call and ns per `evalBatch`
// point. Each figure is the best of several runs.
import { compile } from '../pkg/node.js';

/** Best of `runs` timings of `f`, which returns how many things it did. */
function best(runs, f) {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    const n = f();
    const ns = Number(process.hrtime.bigint() - t) / n;
    if (ns < min) min = ns;
  }
  return min;
}

// 50 tokens: names, numbers, operators, calls and parentheses.
const FIFTY = 'x * x * 0.5 + 3 * x - 1 / (x + 2) + sin(y) * cos(z) - sqrt(x * x + y * y) / (1 + exp(-z)) + (x > y ? x : y)';
const EXPRESSIONS = ['x * 2', 'x*x*0.5 + 3*x - 1/(x + 2)', '1/(x+1) + 2/(x+2) + 3/(x+3)',
  '(-z + (z^2 - 4*x*y)^0.5) / (2*x)', 'sin(x)+sin(y)+sin(z)', 'y + 0.1 * (x - y) * z'];
const N = 1_000_000;

const table = [];
for (const tier of ['codegen', 'interpreter']) {
  const options = { tier };
  // Compile to first result, each time a new source (no caching anywhere).
  let k = 0;
  const first = best(5, () => {
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const f = compile(`${FIFTY} + ${k++}`, ['x', 'y', 'z'], options);
      f.eval([1, 2, 3]);
      f.free();
    }
    return n;
  });
  const fifty = compile(FIFTY, ['x', 'y', 'z'], options);
  table.push({ tier, what: 'compile to first result, 50 tokens (µs)', value: (first / 1000).toFixed(1) });
  table.push({ tier, what: 'module size, 50 tokens (bytes)', value: fifty.stats().moduleSize });
  fifty.free();
  for (const src of EXPRESSIONS) {
    const f = compile(src, ['x', 'y', 'z'].filter((p) => src.includes(p)), options);
    const n = f.params.length;
    const arg = new Array(n).fill(1.5);
    const perCall = best(7, () => {
      const m = 1_000_000;
      let s = 0;
      for (let i = 0; i < m; i++) {
        arg[0] = i;
        s += f.eval(arg);
      }
      if (s === 0.123) console.log(s);
      return m;
    });
    const cols = Array.from({ length: n }, (_, j) => Float64Array.from({ length: N }, (_, i) => (i % 1000) / 100 + j));
    const out = new Float64Array(N);
    const perPoint = best(5, () => {
      f.evalBatch(cols, out);
      return N;
    });
    table.push({ tier, what: `\`${src}\` eval([..]) ns/call`, value: perCall.toFixed(1) });
    table.push({ tier, what: `\`${src}\` evalBatch ns/point`, value: perPoint.toFixed(2) });
    f.free();
  }
}
const rows = new Map();
for (const r of table) {
  if (!rows.has(r.what)) rows.set(r.what, {});
  rows.get(r.what)[r.tier] = r.value;
}
console.log('| measure | codegen | interpreter |\n|---|---:|---:|');
for (const [what, v] of rows) console.log(`| ${what} | ${v.codegen} | ${v.interpreter} |`);
