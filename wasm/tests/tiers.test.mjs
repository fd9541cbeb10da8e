// The two tiers — generated WebAssembly and the interpreter — give the same
// bits and the same errors (kind, span, message, failing row) on the whole
// conformance table, on random expressions and at every step limit; 'auto'
// picks code generation and falls back to the interpreter when the runtime
// refuses to compile WebAssembly.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Context, ExpRsError, compile } from 'exp-rs';
import { fixture, rows } from './table.mjs';

const CODEGEN = { tier: 'codegen' };
/** Node 20 on x86-64 and arm64 has wasm SIMD: the batch loop uses it. */
const TIER_SIMD = WebAssembly.validate(
  new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 16, 1, 14, 0, 68, 0, 0, 0, 0, 0, 0, 0, 0, 253, 20, 26, 11]),
);
const INTERP = { tier: 'interpreter' };

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
/**
 * The bits of a number, so 0 and -0 differ. Every NaN is the same NaN: wasm
 * leaves a NaN result's sign and payload to the engine (even for `*`),
 * so no two builds promise the same NaN bits (SPEC.md compares NaN as NaN).
 */
function bits(v) {
  if (v !== v) return 'nan';
  f64[0] = v;
  return u64[0].toString(16);
}

/** What a call gives: its value's bits, or the error it throws. */
function outcome(call) {
  try {
    const v = call();
    if (v instanceof Float64Array) return { values: Array.from(v, bits).join(',') };
    return { value: bits(v) };
  } catch (e) {
    if (!(e instanceof ExpRsError)) return { thrown: e?.constructor?.name, message: e?.message };
    return { kind: e.kind, start: e.start, end: e.end, message: e.message, row: e.row };
  }
}

/** Compiles `src` on both tiers of `ctx`: [codegen, interpreter]. */
function both(ctx, src, params) {
  const g = ctx.compile(src, params, CODEGEN);
  const i = ctx.compile(src, params, INTERP);
  assert.equal(i.stats().tier, 'interpreter');
  return [g, i];
}

test('the conformance table: the same bits and errors on both tiers', () => {
  let generated = 0;
  let rowsChecked = 0;
  for (const row of rows()) {
    const ctx = fixture(row.bindings);
    const scalars = row.bindings.filter((b) => b.type === 'scalar');
    const names = scalars.map((b) => b.name);
    const values = scalars.map((b) => b.value);
    let pair;
    try {
      pair = both(ctx, row.source, names);
    } catch (e) {
      // A compile error is the same on both (the tier is chosen after it).
      assert.ok(e instanceof ExpRsError, `${row.source}: ${e}`);
      ctx.free();
      continue;
    }
    const [g, i] = pair;
    if (g.stats().tier === 'codegen') generated++;
    rowsChecked++;
    const where = `line ${row.line}: ${row.source}`;
    assert.deepEqual(outcome(() => g.eval(values)), outcome(() => i.eval(values)), where);
    // The batch path too: one point, and the point three times.
    const cols = (k) => values.map((v) => new Float64Array(k).fill(v));
    assert.deepEqual(outcome(() => g.evalBatch(cols(1))), outcome(() => i.evalBatch(cols(1))), where);
    assert.deepEqual(outcome(() => g.evalBatch(cols(3))), outcome(() => i.evalBatch(cols(3))), where);
    g.free();
    i.free();
    ctx.free();
  }
  // Everything without a native JS function runs generated code.
  assert.ok(generated > rowsChecked * 0.6, `${generated} of ${rowsChecked} rows generated`);
});

/** A small seeded generator (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const F1 = ['abs', 'sign', 'floor', 'ceil', 'trunc', 'round', 'sqrt', 'cbrt', 'exp', 'ln', 'log', 'log10',
  'log2', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'];
const F2 = ['atan2', 'pow', 'hypot', 'fmod'];
const OPS = ['+', '-', '*', '/', '%', '^', '==', '!=', '<', '<=', '>', '>=', '&&', '||', ','];
const LEAVES = ['0', '1', '2', '0.5', '3.25', '10', '1e300', '1e-300', 'pi', 'e', '7'];

/** A random expression over x, y, z (fully parenthesized). */
function expression(rnd, depth) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  if (depth <= 0 || rnd() < 0.2) return rnd() < 0.5 ? pick(['x', 'y', 'z']) : pick(LEAVES);
  const sub = () => expression(rnd, depth - 1);
  switch (Math.floor(rnd() * 12)) {
    case 0:
      return `(-${sub()})`;
    case 1:
      return `(!${sub()})`;
    case 2:
    case 3:
    case 4:
      return `(${sub()} ${pick(OPS)} ${sub()})`;
    case 5:
      return `(${sub()} ? ${sub()} : ${sub()})`;
    case 6:
      return `${pick(F1)}(${sub()})`;
    case 7:
      return `${pick(F2)}(${sub()}, ${sub()})`;
    case 8:
      return `${pick(['min', 'max'])}(${sub()}, ${sub()}, ${sub()})`;
    case 9:
      return `t[${sub()}]`;
    case 10:
      return pick([`f(${sub()}, ${sub()})`, `fact(${sub()})`, `down(${sub()})`, `clamp(${sub()}, 0, 1)`]);
    default:
      return rnd() < 0.1 ? `tick(${sub()})` : `(${sub()} * ${sub()})`;
  }
}

const POINTS = [0, -0, 1, -1, 0.5, 2.5, 3, 7, 1e308, -1e-308, Infinity, -Infinity, NaN, 100, 4.999];

function randomContext(limits) {
  const ctx = new Context();
  ctx.addArray('t', [1.5, -2, 3, 0.25, 7]);
  ctx.addExpressionFunction('f(a, b) = a * b - a');
  ctx.addExpressionFunction('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
  ctx.addExpressionFunction('down(n) = n <= 0 ? 0 : 1 + down(n - 1)');
  ctx.addFunction('tick', (v) => v);
  if (limits) ctx.setLimits(limits);
  return ctx;
}

test('random expressions: both tiers agree bit for bit, eval and evalBatch', () => {
  const rnd = random(0x5eed);
  const contexts = [
    randomContext(null),
    // Tight limits, so steps, depth and call counts run out often.
    randomContext({ maxSteps: 60, maxCalls: 6, maxTotalCalls: 40 }),
  ];
  let generated = 0;
  let errors = 0;
  const count = 3000;
  for (let n = 0; n < count; n++) {
    const src = expression(rnd, 1 + Math.floor(rnd() * 5));
    const ctx = contexts[n % 2];
    const [g, i] = both(ctx, src, ['x', 'y', 'z']);
    if (g.stats().tier === 'codegen') generated++;
    for (let k = 0; k < 4; k++) {
      const p = [0, 1, 2].map(() => (rnd() < 0.7 ? POINTS[Math.floor(rnd() * POINTS.length)] : rnd() * 20 - 10));
      const a = outcome(() => g.eval(p));
      const b = outcome(() => i.eval(p));
      if (b.kind) errors++;
      assert.deepEqual(a, b, `${src} at ${p}`);
      // An object and a typed array give the same, too.
      assert.deepEqual(outcome(() => g.eval({ x: p[0], y: p[1], z: p[2] })), b, src);
      assert.deepEqual(outcome(() => g.eval(Float64Array.from(p))), b, src);
    }
    if (n % 25 === 0) {
      // Several chunks of points; errors report the same row.
      const rows = 2500;
      const cols = [0, 1, 2].map(() => Float64Array.from({ length: rows }, () => POINTS[Math.floor(rnd() * POINTS.length)]));
      const outG = new Float64Array(rows);
      const outI = new Float64Array(rows);
      assert.deepEqual(outcome(() => g.evalBatch(cols, outG)), outcome(() => i.evalBatch(cols, outI)), src);
      assert.deepEqual(Array.from(outG, bits), Array.from(outI, bits), src);
    }
    g.free();
    i.free();
  }
  assert.ok(generated > count * 0.7, `${generated} of ${count} generated`);
  assert.ok(errors > 100, `only ${errors} errors were compared`);
  for (const ctx of contexts) ctx.free();
});

test('every step limit stops both tiers at the same point', () => {
  const ctx = new Context();
  ctx.addExpressionFunction('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
  ctx.addExpressionFunction('fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)');
  ctx.addArray('a', [1, 2, 3]);
  const sources = [
    'x * 2',
    'x > 1 ? x * 2 : x / 2',
    'x && y || !x',
    '(x, y, x + y)',
    'fact(x) + fib(y)',
    'x > 2 ? fact(x) : a[y] + fib(x)',
    'min(x, y, 3) + (y ? a[x] : 0)',
  ];
  const points = [[0, 0], [1, 2], [3, 1], [6, 5], [2, 9]];
  for (let steps = 0; steps <= 120; steps++) {
    for (const calls of [0, 1, 3, 100]) {
      ctx.setLimits({ maxSteps: steps, maxCalls: calls, maxTotalCalls: calls * 3 });
      for (const src of sources) {
        const [g, i] = both(ctx, src, ['x', 'y']);
        assert.equal(g.stats().tier, 'codegen', src);
        for (const p of points) {
          assert.deepEqual(outcome(() => g.eval(p)), outcome(() => i.eval(p)), `${src} at ${p}, ${steps} steps`);
        }
        // The batch loop (the main code inlined into it) stops at the same
        // row with the same error.
        const cols = [0, 1].map((k) => Float64Array.from(points, (p) => p[k]));
        assert.deepEqual(outcome(() => g.evalBatch(cols)), outcome(() => i.evalBatch(cols)), `${src}, ${steps} steps`);
        g.free();
        i.free();
      }
    }
  }
  ctx.free();
});

test('evalBatch: an error in any chunk stops both tiers at the same row', () => {
  const ctx = new Context();
  ctx.addArray('a', [1, 2, 3]);
  ctx.addExpressionFunction('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
  ctx.addFunction('check', (v) => {
    if (v > 2) throw new RangeError('too big');
    return v;
  });
  ctx.setLimits({ maxSteps: 1000, maxCalls: 20, maxTotalCalls: 60 });
  const rows = 3000;
  for (const src of ['a[x] * y', 'y > 0 ? fact(x) : -x', 'x && y || a[x]', 'check(x) + y']) {
    const [g, i] = both(ctx, src, ['x', 'y']);
    for (const bad of [0, 1, 1023, 1024, 1025, 2047, 2999]) {
      // Row `bad` fails (a[30], fact(30), check(30)); the others do not.
      const x = Float64Array.from({ length: rows }, (_, r) => (r === bad ? 30 : r % 3));
      const y = Float64Array.from({ length: rows }, (_, r) => (r === bad ? 1 : (r % 5) - 1));
      const want = outcome(() => i.evalBatch([x, y]));
      if (src !== 'x && y || a[x]') assert.equal(want.row, bad, `${src} row ${bad}`);
      assert.deepEqual(outcome(() => g.evalBatch([x, y])), want, `${src} row ${bad}`);
      // Into `out`: the rows before the failing chunk are written the same.
      const outG = new Float64Array(rows);
      const outI = new Float64Array(rows);
      assert.deepEqual(outcome(() => g.evalBatch([x, y], outG)), outcome(() => i.evalBatch([x, y], outI)), src);
      assert.deepEqual(Array.from(outG, bits), Array.from(outI, bits), `${src} row ${bad}`);
    }
    g.free();
    i.free();
  }
  ctx.free();
});

test('a short batch runs only its own rows: no error, and no status, from stale ones', () => {
  const ctx = new Context();
  ctx.addArray('a', [1, NaN, 3]);
  const [g, i] = both(ctx, 'a[x] * y', ['x', 'y']);
  for (const f of [g, i]) {
    // Leaves row 476 of the second chunk's staging out of bounds.
    const x = Float64Array.from({ length: 2000 }, (_, r) => (r === 1500 ? 30 : 0));
    const y = new Float64Array(2000).fill(1);
    assert.throws(() => f.evalBatch([x, y]), (e) => e.kind === 'IndexOutOfBounds' && e.row === 1500);
    // Ten good rows: the stale row 476 is not run.
    assert.deepEqual(Array.from(f.evalBatch([new Float64Array(10), new Float64Array(10).fill(2)])), new Array(10).fill(2));
    // A NaN that is a value, not an error, right after.
    assert.ok(Number.isNaN(f.eval([1, 1])));
  }
  g.free();
  i.free();
  ctx.free();
});

test('straight arithmetic two rows at a time (SIMD): the same bits at every length', () => {
  const special = [0, -0, 1, -1, 0.1, 3, 1e308, -1e308, 5e-324, -5e-324, 2.2250738585072014e-308, Infinity, -Infinity, NaN, 7.5, -2.5];
  const sources = [
    'x * 2',
    '1/(x+1) + 2/(y+2) + 3/(z+3)',
    '-(x - y) / z + sqrt(abs(x)) * floor(y) - ceil(z) + trunc(x / 3)',
    'x*x*0.5 + 3*x - 1/(x + 2)',
    'y + 0.1 * (x - y) * z',
    '(x - y) * (y - z) / (z - x) - -x',
  ];
  for (const src of sources) {
    const [g, i] = both(new Context(), src, ['x', 'y', 'z']);
    assert.equal(g.stats().tier, 'codegen', src);
    if (TIER_SIMD) assert.match(g.wat(), /f64x2\./, src);
    for (let len = 0; len <= 9; len++) {
      for (let shift = 0; shift < special.length; shift += 5) {
        const cols = [0, 1, 2].map((k) => Float64Array.from({ length: len }, (_, r) => special[(r * (k + 2) + shift + k) % special.length]));
        assert.deepEqual(outcome(() => g.evalBatch(cols)), outcome(() => i.evalBatch(cols)), `${src}, ${len} rows`);
      }
    }
    // Several chunks, an odd count.
    const big = [0, 1, 2].map((k) => Float64Array.from({ length: 2049 }, (_, r) => special[(r * 7 + k) % special.length] * (r % 3 + 1)));
    assert.deepEqual(outcome(() => g.evalBatch(big)), outcome(() => i.evalBatch(big)), src);
    g.free();
    i.free();
  }
});

test("'auto' is code generation; stats report the tier and the module size", () => {
  const f = compile('x * 2');
  const s = f.stats();
  assert.equal(s.tier, 'codegen');
  assert.ok(s.moduleSize > 0 && s.moduleSize < 1024, `${s.moduleSize} bytes`);
  assert.equal(f.eval([21]), 42);
  assert.equal(f.stats().allocationsLastEval, 0);
  // The listing reads the module back.
  const wat = f.wat();
  assert.match(wat, /\(func \$f \(param f64\) \(result f64\)/);
  assert.match(wat, /f64\.mul/);
  assert.doesNotMatch(wat, /;; \?/);
  const i = compile('x * 2', null, { tier: 'interpreter' });
  assert.deepEqual([i.stats().tier, i.stats().moduleSize], ['interpreter', 0]);
  assert.equal(i.wat(), undefined);
  assert.equal(i.eval([21]), 42);
  // Native JS functions are imported into the generated module.
  const ctx = new Context();
  ctx.addFunction('twice', (v) => 2 * v);
  const n = ctx.compile('twice(x)', null, { tier: 'codegen' });
  assert.equal(n.stats().tier, 'codegen');
  assert.equal(n.eval([4]), 8);
  // Bad options are TypeErrors.
  assert.throws(() => compile('x', null, { tier: 'jit' }), TypeError);
  assert.throws(() => compile('x', null, 5), TypeError);
  assert.throws(() => ctx.compile('x', null, { tier: 1 }), TypeError);
  for (const e of [f, i, n, ctx]) e.free();
});

test("'auto' falls back to the interpreter when WebAssembly.Module throws", () => {
  const saved = WebAssembly.Module;
  // What a CSP without 'wasm-unsafe-eval' does.
  WebAssembly.Module = function Module() {
    throw new WebAssembly.CompileError('Wasm code generation disallowed by embedder');
  };
  let f;
  let g;
  try {
    f = compile('x * sin(y) + z');
    g = compile('x * 2', null, { tier: 'codegen' });
  } finally {
    WebAssembly.Module = saved;
  }
  assert.equal(f.stats().tier, 'interpreter');
  assert.equal(g.stats().tier, 'interpreter');
  assert.equal(f.eval([2, 0, 1.5]), 1.5);
  assert.deepEqual(f.evalBatch([new Float64Array([1]), new Float64Array([0]), new Float64Array([2])]), new Float64Array([2]));
  // A module that cannot be instantiated falls back too.
  const savedInstance = WebAssembly.Instance;
  WebAssembly.Instance = function Instance() {
    throw new RangeError('out of memory');
  };
  let h;
  try {
    h = compile('x + 1');
  } finally {
    WebAssembly.Instance = savedInstance;
  }
  assert.equal(h.stats().tier, 'interpreter');
  assert.equal(h.eval([1]), 2);
  for (const e of [f, g, h]) e.free();
  assert.equal(compile('x').stats().tier, 'codegen');
});

test('more than four parameters go through the row buffer', () => {
  const src = 'a + 2*b + 3*c + 4*d + 5*e1 + 6*f1 + 7*g1';
  const [g, i] = both(new Context(), src);
  assert.equal(g.stats().tier, 'codegen');
  const p = [1, 2, 3, 4, 5, 6, 7];
  assert.equal(g.eval(p), i.eval(p));
  assert.equal(g.eval(Float64Array.from(p)), 140);
  assert.equal(g.eval({ a: 1, b: 2, c: 3, d: 4, e1: 5, f1: 6, g1: 7 }), 140);
  // Memory growth detaches old views: still right afterwards.
  const big = [];
  for (let k = 0; k < 50; k++) big.push(compile(`x + ${'1+'.repeat(200)}1`));
  assert.equal(g.eval(p), 140);
  for (const e of [g, i, ...big]) e.free();
});

test('wrong values, getters that re-enter and freed expressions: the interpreter errors', () => {
  const [g, i] = both(new Context(), 'x + y');
  const calls = [
    (f) => f.eval([1]),
    (f) => f.eval([1, 'a']),
    (f) => f.eval({ x: 1 }),
    (f) => f.eval(5),
    (f) => f.eval(new Float32Array([1, 2])),
    (f) => f.eval([1, 2, 3]),
    (f) => f.eval(undefined),
  ];
  for (const call of calls) assert.deepEqual(outcome(() => call(g)), outcome(() => call(i)), String(call));
  // A getter evaluating the same expression: Reentrant on both tiers.
  for (const f of [g, i]) {
    const v = Object.defineProperty({ y: 1 }, 'x', { get: () => f.eval([1, 2]), enumerable: true });
    assert.throws(() => f.eval(v), (e) => e.kind === 'Reentrant');
    assert.equal(f.eval([1, 2]), 3);
  }
  // An expression of the other tier from a getter is fine.
  const v = Object.defineProperty({ y: 1 }, 'x', { get: () => i.eval([1, 2]), enumerable: true });
  assert.equal(g.eval(v), 4);
  g.free();
  i.free();
  assert.throws(() => g.eval([1, 2]));
  assert.throws(() => g.evalBatch([new Float64Array(1), new Float64Array(1)]));
});

test('native JS functions: the same results, errors, causes and calls on both tiers', () => {
  const log = [];
  const ctx = new Context();
  ctx.addFunction('twice', (v) => {
    log.push(v);
    return 2 * v;
  });
  ctx.addVariadicFunction('sum', (...a) => a.reduce((s, v) => s + v, 0), 1);
  const boom = new RangeError('boom');
  ctx.addFunction('fail', (v) => {
    if (v > 2) throw boom;
    return v;
  });
  ctx.addFunction('str', (_v) => 'not a number');
  ctx.addFunction('undef', (_v) => {
    throw undefined;
  });
  ctx.addExpressionFunction('inner(a) = fail(a) + 1');
  const sources = [
    'twice(x) + sum(x) + sum(x, y) + sum(x, y, x, y, 1)',
    'x > 1 && twice(y) || twice(x)',
    'fail(x) * 2',
    '1 + inner(x)',
    'str(x)',
    'undef(x)',
  ];
  for (const src of sources) {
    const [g, i] = both(ctx, src, ['x', 'y']);
    assert.equal(g.stats().tier, 'codegen', src);
    for (const p of [[0, 1], [2, 3], [5, 1]]) {
      log.length = 0;
      const a = outcome(() => g.eval(p));
      const calls = log.slice();
      log.length = 0;
      assert.deepEqual(a, outcome(() => i.eval(p)), `${src} at ${p}`);
      // The same calls, in the same order (short-circuits included).
      assert.deepEqual(calls, log, src);
    }
    const cols = [Float64Array.from([0, 1, 2, 3, 4]), Float64Array.from([1, 1, 1, 1, 1])];
    assert.deepEqual(outcome(() => g.evalBatch(cols)), outcome(() => i.evalBatch(cols)), src);
    g.free();
    i.free();
  }
  // The cause is what the function threw, on both tiers, eval and evalBatch.
  for (const tier of ['codegen', 'interpreter']) {
    const f = ctx.compile('1 + inner(x)', ['x'], { tier });
    for (const call of [() => f.eval([3]), () => f.evalBatch([Float64Array.from([1, 3])])]) {
      const e = (() => {
        try {
          call();
        } catch (err) {
          return err;
        }
      })();
      assert.equal(e.kind, 'Callback', tier);
      assert.equal(e.cause, boom, tier);
      assert.deepEqual([e.start, e.end], [4, 12], tier);
    }
    const s = ctx.compile('str(x)', ['x'], { tier });
    assert.throws(() => s.eval([1]), (e) => e.kind === 'Callback' && e.cause instanceof TypeError);
    const u = ctx.compile('undef(x)', ['x'], { tier });
    assert.throws(() => u.eval([1]), (e) => e.kind === 'Callback' && !('cause' in e));
    for (const e of [f, s, u]) e.free();
  }
  ctx.free();
});

test('a native function re-entering or freeing its expression: as on the interpreter', () => {
  for (const tier of ['codegen', 'interpreter']) {
    const ctx = new Context();
    let f = null;
    let seen = null;
    ctx.addFunction('again', (v) => {
      try {
        return f.eval([v + 1]);
      } catch (e) {
        seen = e.kind;
        throw e;
      }
    });
    ctx.addFunction('batch', (v) => {
      f.evalBatch([Float64Array.from([1])]);
      return v;
    });
    ctx.addFunction('freeSelf', (v) => {
      try {
        f.free();
      } catch {
        // Busy: freed when the call ends, as the interpreter does.
      }
      return v;
    });
    f = ctx.compile('again(x)', ['x'], { tier });
    assert.throws(() => f.eval([1]), (e) => e.kind === 'Callback' && e.cause.kind === 'Reentrant', tier);
    assert.equal(seen, 'Reentrant');
    assert.throws(() => f.evalBatch([Float64Array.from([1])]), (e) => e.kind === 'Callback', tier);
    f.free();
    f = ctx.compile('batch(x)', ['x'], { tier });
    assert.throws(() => f.eval([1]), (e) => e.kind === 'Callback' && e.cause.kind === 'Reentrant', tier);
    f.free();
    // Freed once the evaluation ended (the free itself threw, busy).
    f = ctx.compile('freeSelf(x) + a', ['x', 'a'], { tier });
    assert.equal(f.eval([1, 2]), 3, tier);
    assert.throws(() => f.eval([1, 2]), tier);
    f = ctx.compile('freeSelf(x) + a', ['x', 'a'], { tier });
    assert.deepEqual(f.evalBatch([Float64Array.from([1]), Float64Array.from([2])]), Float64Array.from([3]), tier);
    assert.throws(() => f.eval([1, 2]), tier);
    ctx.free();
  }
});

test('a derivative runs on generated code as well, with the same bits', () => {
  const f = compile('x^3 * sin(x) + y / x', ['x', 'y']);
  const d = f.derivative('x');
  assert.equal(d.stats().tier, 'codegen');
  const i = compile(d.source, ['x', 'y'], INTERP);
  for (const p of [[1, 2], [0.5, -3], [0, 1], [-2, 7]]) {
    assert.deepEqual(outcome(() => d.eval(p)), outcome(() => i.eval(p)), String(p));
  }
  for (const e of [f, d, i]) e.free();
});

test('built-ins generated code computes itself (sqrt, abs, floor, ceil, trunc): the interpreter bits', () => {
  const inputs = [
    0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 2, 1e-310, -1e-310, 5e-324, -5e-324,
    4503599627370495.5, -4503599627370495.5, 1e300, -1e300, Infinity, -Infinity, NaN,
    2 ** 52 + 1, 0.1, 1 / 3, 1.7976931348623157e308,
  ];
  for (let i = 0; i < 2000; i++) inputs.push((Math.random() - 0.5) * 10 ** (Math.random() * 40 - 20));
  const ctx = new Context();
  for (const fn of ['sqrt', 'abs', 'floor', 'ceil', 'trunc']) {
    const [g, i] = both(ctx, `${fn}(x)`, ['x']);
    assert.equal(g.stats().tier, 'codegen');
    assert.match(g.wat(), new RegExp(`f64\\.${fn}`), `${fn} is one instruction`);
    for (const x of inputs) {
      assert.equal(bits(g.eval([x])), bits(i.eval([x])), `${fn}(${x})`);
    }
    g.free();
    i.free();
  }
  ctx.free();
});
