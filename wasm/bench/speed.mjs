// Rough speed of the npm package, for choosing build settings (see
// wasm/README.md, "Size"): `node wasm/bench/speed.mjs` after `cargo xtask wasm`.
// Each figure is the best of several runs, in nanoseconds per evaluation.
import { compile, evaluate } from '../pkg/node.js';

const SRC = 'x * sin(y) + sqrt(x^2 + y^2) / (1 + exp(-z)) - (x > y ? x : y)';

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

const f = compile(SRC);
const N = 1_000_000;
const cols = [new Float64Array(N), new Float64Array(N), new Float64Array(N)];
for (let i = 0; i < N; i++) {
  cols[0][i] = i * 1e-3;
  cols[1][i] = Math.sin(i);
  cols[2][i] = (i % 100) / 10;
}
const out = new Float64Array(N);
const row = new Float64Array(3);
const arr = [0, 0, 0];

const results = {
  'evalBatch (ns/point)': best(7, () => {
    f.evalBatch(cols, out);
    return N;
  }),
  'eval Float64Array (ns/call)': best(7, () => {
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      row[0] = i;
      f.eval(row);
    }
    return n;
  }),
  'eval number[] (ns/call)': best(7, () => {
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      arr[0] = i;
      f.eval(arr);
    }
    return n;
  }),
  'compile+free (ns/call)': best(5, () => {
    const n = 20_000;
    for (let i = 0; i < n; i++) compile(SRC).free();
    return n;
  }),
  'evaluate (ns/call)': best(5, () => {
    const n = 20_000;
    for (let i = 0; i < n; i++) evaluate(SRC, { x: i, y: 2, z: 3 });
    return n;
  }),
};
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(30)} ${v.toFixed(1)}`);
f.free();
