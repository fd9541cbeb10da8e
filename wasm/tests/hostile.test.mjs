// Hostile input: nothing may trap the module (a trapped instance is
// unusable), and nothing may reach into JS objects' prototypes.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Context, ExpRsError, compile, evaluate } from './tiered.mjs';

/** The module still answers after whatever came before. */
function stillWorks() {
  assert.equal(evaluate('1 + 2 * 3'), 7);
  const f = compile('x ^ 2');
  assert.equal(f.eval([3]), 9);
  f.free();
}

function onlyExpRsError(f) {
  try {
    const v = f();
    assert.equal(typeof v, 'number');
  } catch (e) {
    assert.ok(e instanceof ExpRsError, `unexpected ${e?.constructor?.name}: ${e?.message}`);
  }
}

test('100,000 nested parentheses: an ExpRsError, then business as usual', () => {
  const deep = '('.repeat(100_000) + '1' + ')'.repeat(100_000);
  assert.throws(() => evaluate(deep), ExpRsError);
  assert.throws(() => compile(deep), ExpRsError);
  stillWorks();
  // Under the length limit, the depth limit answers.
  const ctx = new Context();
  ctx.setLimits({ maxLen: 1_000_000 });
  const e = (() => {
    try {
      ctx.compile(deep);
    } catch (err) {
      return err;
    }
  })();
  assert.equal(e.kind, 'TooDeep');
  assert.deepEqual([e.start, e.end], [256, 257]);
  // Deep unary chains, brackets, calls, indexing and conditionals, and
  // long chains of every binary operator: all TooDeep.
  ctx.addArray('a', [1, 2]);
  const n = 100_000;
  const shapes = [
    '-'.repeat(n) + '1',
    '!'.repeat(n) + '1',
    'sin('.repeat(n) + '1' + ')'.repeat(n),
    'a['.repeat(n) + '0' + ']'.repeat(n),
    '1?'.repeat(n) + '1' + ':1'.repeat(n),
    ...['+', '-', '*', '/', '%', '^', '<', '==', '&&', '||'].map((op) => '1' + `${op}1`.repeat(n)),
  ];
  for (const src of shapes) {
    assert.throws(() => ctx.evaluate(src), (e) => e instanceof ExpRsError && e.kind === 'TooDeep', src.slice(0, 8));
  }
  ctx.free();
  stillWorks();
});

test('__proto__, constructor, toString are plain unknown variables', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']) {
    assert.throws(
      () => evaluate(`${name} + 1`),
      (e) => e.kind === 'UnknownVariable' && e.start === 0 && e.end === name.length,
      name,
    );
    assert.throws(() => evaluate(name, {}), (e) => e.kind === 'UnknownVariable');
    // …and ordinary names when bound.
    const vars = JSON.parse(`{"${name}": 5}`); // an own property, even for __proto__
    assert.equal(evaluate(`${name} * 2`, vars), 10, name);
    const f = compile(`${name} + 1`);
    assert.deepEqual(f.params, [name]);
    assert.equal(f.eval([1]), 2);
    assert.equal(f.eval(vars), 6);
    // Inherited properties are never read as values.
    assert.throws(() => f.eval({}), (e) => e.kind === 'ParamCount');
    f.free();
    // As functions, arrays and objects they are unknown too.
    assert.throws(() => evaluate(`${name}(1)`), (e) => e.kind === 'UnknownFunction');
    assert.throws(() => evaluate(`${name}[0]`), ExpRsError);
    assert.throws(() => evaluate(`${name}.x`), ExpRsError);
  }
  assert.equal(Object.prototype.x, undefined);
  stillWorks();
});

test('a context stores names, not JS properties', () => {
  const ctx = new Context();
  ctx.addObject('o', JSON.parse('{"__proto__": 3, "constructor": 4}'));
  assert.equal(ctx.evaluate('o.__proto__ + o.constructor'), 7);
  assert.throws(() => ctx.evaluate('o.toString'), (e) => e.kind === 'UnknownField');
  ctx.setConstant('__proto__', 1);
  assert.equal(ctx.evaluate('__proto__'), 1);
  assert.equal({}.__proto__, Object.prototype);
  ctx.free();
});

test('wrong JS types are TypeErrors, not traps', () => {
  assert.throws(() => evaluate('x', { x: '1' }), TypeError);
  assert.throws(() => evaluate('x', [1]), TypeError);
  assert.throws(() => evaluate('x', 5), TypeError);
  const ctx = new Context();
  assert.throws(() => ctx.addObject('o', { a: {} }), TypeError);
  assert.throws(() => ctx.addObject('o', 'str'), TypeError);
  ctx.free();
  stillWorks();
});

test('random junk never traps', () => {
  const atoms = [
    '1', '0', '1e308', '1e-320', '.5', '1.', '1e', '1..2', 'x', 'y', 'pi', 'sin', 'max', 'a',
    'p', 'f', '(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '%', '^', '**', '!', '<', '<=',
    '==', '!=', '&&', '||', '?', ':', ' ', '\n', '\t', '@', 'é', '\u0000', '"', ';', '=',
  ];
  const ctx = new Context();
  ctx.addArray('a', [1, 2, 3]);
  ctx.addObject('p', { x: 1 });
  ctx.addExpressionFunction('f(n) = n < 1 ? 0 : f(n - 1) + f(n - 2)');
  let seed = 12345;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 5000; i++) {
    let src = '';
    const len = 1 + rand(24);
    for (let j = 0; j < len; j++) src += atoms[rand(atoms.length)];
    onlyExpRsError(() => ctx.evaluate(src, { x: 0.5, y: -2 }));
    onlyExpRsError(() => {
      const e = ctx.compile(src);
      try {
        e.ast();
        e.program();
        e.stats();
        return e.eval(e.params.map((_, k) => k - 1));
      } finally {
        e.free();
      }
    });
  }
  ctx.free();
  stillWorks();
});

test('a native function that throws, recurses or misbehaves cannot break the module', () => {
  const ctx = new Context();
  ctx.addFunction('throwsString', (_x) => {
    throw 'not an Error';
  });
  ctx.addFunction('throwsUndefined', (_x) => {
    throw undefined;
  });
  ctx.addFunction('big', (_x) => 1e308 * 10);
  ctx.addFunction('nan', (_x) => NaN);
  ctx.addFunction('obj', (_x) => ({ valueOf: () => 1 }));
  ctx.addFunction('bigint', (_x) => 1n);
  let depth = 0;
  ctx.addFunction('nest', (x) => {
    depth++;
    return depth > 50 ? x : ctx.evaluate('nest(x) + 1', { x });
  });
  for (const src of ['throwsString(1)', 'throwsUndefined(1)', 'obj(1)', 'bigint(1)']) {
    assert.throws(() => ctx.evaluate(src), (e) => e.kind === 'Callback', src);
  }
  assert.equal(ctx.evaluate('big(1)'), Infinity);
  assert.ok(Number.isNaN(ctx.evaluate('nan(1)')));
  assert.equal(ctx.evaluate('nest(0)'), 50);
  // A callback that changes the context it is running in.
  ctx.addFunction('mutate', (x) => {
    ctx.setConstant('k', x);
    ctx.addFunction('mutate', (y) => y);
    return x;
  });
  assert.equal(ctx.evaluate('mutate(5)'), 5);
  assert.equal(ctx.evaluate('k + mutate(1)'), 6);
  // A callback that frees the expression running it: freed afterwards.
  let f;
  ctx.addFunction('freeSelf', (x) => {
    try {
      f.free();
    } catch {
      // wasm-bindgen reports the object as busy; it is freed when the call ends.
    }
    return x;
  });
  f = ctx.compile('freeSelf(x) + 1');
  assert.equal(f.eval([1]), 2);
  ctx.free();
  stillWorks();
});

test('runaway and exponential recursion are errors, not hangs', () => {
  const ctx = new Context();
  ctx.addExpressionFunction('down(n) = down(n - 1) + 1');
  ctx.addExpressionFunction('twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)');
  assert.throws(() => ctx.evaluate('down(1)'), (e) => e.kind === 'RecursionLimit');
  // 2^201 calls: the default budget of 1,000,000 calls per evaluation
  // stops them, reported at the call.
  const f = ctx.compile('1 + twice(n)', ['n']);
  assert.throws(
    () => f.eval([200]),
    (e) => e.kind === 'RecursionLimit' && e.start === 4 && e.end === 12,
  );
  assert.equal(f.eval([3]), 1);
  f.free();
  ctx.free();
  stillWorks();
});

test('freed objects throw, they do not trap', () => {
  const f = compile('x');
  f.free();
  assert.throws(() => f.eval([1]));
  const ctx = new Context();
  ctx.free();
  assert.throws(() => ctx.evaluate('1'));
  stillWorks();
});

test('many compiles and frees do not leak', () => {
  const mem = () => process.memoryUsage().arrayBuffers;
  const ctx = new Context();
  ctx.addExpressionFunction('hyp(a, b) = sqrt(a^2 + b^2)');
  for (let i = 0; i < 2000; i++) ctx.compile(`hyp(x, ${i}) * y`).free();
  const before = mem();
  for (let i = 0; i < 20000; i++) {
    const f = ctx.compile(`hyp(x, ${i}) * y + ${'1+'.repeat(i % 50)}1`);
    f.eval([1, 2]);
    f.free();
  }
  // The wasm memory may have grown a little, but not with the count.
  assert.ok(mem() - before < 4 * 1024 * 1024, `grew by ${mem() - before} bytes`);
  ctx.free();
});

test('arguments of the wrong JS type: TypeError, never a trap', () => {
  const ctx = new Context();
  const f = compile('x + 1');
  const junk = [123, undefined, null, {}, [], [1], Symbol('s'), 10n, () => 1, new Float64Array(1)];
  const calls = [
    (v) => evaluate(v),
    (v) => compile(v),
    (v) => compile('x', v === undefined || v === null ? 5 : v),
    (v) => ctx.evaluate(v),
    (v) => ctx.compile(v),
    (v) => ctx.setConstant(v, 1),
    (v) => ctx.setConstant('k', v),
    (v) => ctx.addFunction(v, (x) => x),
    (v) => ctx.addFunction('g', v),
    (v) => ctx.addVariadicFunction('g', v),
    (v) => ctx.addExpressionFunction(v),
    (v) => ctx.addArray(v, [1]),
    (v) => ctx.addArray('a', v),
    (v) => ctx.addObject(v, {}),
    (v) => ctx.addObject('o', v),
    (v) => ctx.remove(v),
    (v) => ctx.setLimits(v),
    (v) => f.eval(v),
    (v) => f.evalBatch(v),
    (v) => f.evalBatch([new Float64Array(1)], v),
  ];
  for (const call of calls) {
    for (const v of junk) {
      try {
        call(v);
      } catch (e) {
        assert.ok(
          !(e instanceof WebAssembly.RuntimeError),
          `trap for ${call} with ${typeof v}: ${e.message}`,
        );
      }
    }
  }
  assert.throws(() => evaluate(123), TypeError);
  assert.throws(() => compile('x', 'x'), TypeError);
  assert.throws(() => compile('x', [1]), TypeError);
  assert.throws(() => ctx.addFunction('f', 5), TypeError);
  assert.throws(() => ctx.addArray('a', ['a', 2]), TypeError);
  assert.throws(() => ctx.setConstant('k', '5'), TypeError);
  assert.throws(() => f.evalBatch([new Float64Array(1)], [0]), TypeError);
  assert.equal(f.eval([1]), 2);
  f.free();
  ctx.free();
  stillWorks();
});

test('getters and proxies that throw leave every object usable', () => {
  const boom = () => {
    throw new Error('boom');
  };
  const f = compile('x + y');
  const getter = Object.defineProperty({ y: 1 }, 'x', { get: boom, enumerable: true });
  const proxy = new Proxy({}, { has: boom, get: boom, getOwnPropertyDescriptor: boom, ownKeys: boom });
  const arrayProxy = new Proxy([1, 2], { get: boom });
  const { proxy: revoked, revoke } = Proxy.revocable([1, 2], {});
  revoke();
  const arrayWithGetter = Object.defineProperty([1, 2], 1, { get: boom });
  for (const v of [getter, proxy, arrayProxy, revoked, arrayWithGetter]) {
    assert.throws(() => f.eval(v));
    assert.throws(() => f.evalBatch(v));
    assert.throws(() => f.evalBatch([new Float64Array(1), new Float64Array(1)], v));
    // Not stuck: the next call works.
    assert.equal(f.eval([1, 2]), 3);
  }
  const columnsWithGetter = Object.defineProperty([new Float64Array(1), null], 1, { get: boom });
  assert.throws(() => f.evalBatch(columnsWithGetter));
  assert.deepEqual(f.evalBatch([new Float64Array([1]), new Float64Array([2])]), new Float64Array([3]));
  const ctx = new Context();
  for (const v of [getter, proxy, revoked]) {
    assert.throws(() => ctx.evaluate('x', v));
    assert.throws(() => ctx.addObject('o', v));
    assert.throws(() => ctx.setLimits(v));
    assert.throws(() => compile('x', v));
    assert.throws(() => ctx.addArray('a', v));
    // Not stuck either.
    ctx.setConstant('k', 1);
    assert.equal(ctx.evaluate('k + 1'), 2);
  }
  f.free();
  ctx.free();
  stillWorks();
});

test('a callback that detaches, resizes or replaces evalBatch columns', () => {
  const n = 3000; // several chunks of 1,024 rows
  const ctx = new Context();
  let victim = null;
  ctx.addFunction('meddle', (x) => {
    if (x === 1500 && victim) victim();
    return x;
  });
  const f = ctx.compile('meddle(x) + y');
  // Detach a column's buffer mid-batch.
  let xs = Float64Array.from({ length: n }, (_, i) => i);
  let ys = new Float64Array(n);
  victim = () => structuredClone(ys.buffer, { transfer: [ys.buffer] });
  assert.throws(() => f.evalBatch([xs, ys]), RangeError);
  // Shrink a resizable buffer mid-batch.
  const buffer = new ArrayBuffer(n * 8, { maxByteLength: n * 8 });
  ys = new Float64Array(buffer);
  victim = () => buffer.resize(8 * 10);
  assert.throws(() => f.evalBatch([xs, ys]), RangeError);
  // Replace the columns array's items mid-batch: the columns were taken already.
  ys = new Float64Array(n);
  const cols = [xs, ys];
  victim = () => {
    cols[0] = 'not a column';
    cols.length = 0;
  };
  const out = f.evalBatch(cols);
  assert.equal(out[299], 299);
  // Detach `out` mid-batch.
  const mine = new Float64Array(n);
  victim = () => structuredClone(mine.buffer, { transfer: [mine.buffer] });
  assert.throws(() => f.evalBatch([xs, new Float64Array(n)], mine), RangeError);
  victim = null;
  assert.deepEqual(f.evalBatch([new Float64Array([1]), new Float64Array([2])]), new Float64Array([3]));
  f.free();
  ctx.free();
  stillWorks();
});

test('a huge source is refused without being copied into wasm memory', () => {
  const huge = '1+'.repeat(25_000_000) + '1'; // 50 MB
  const before = process.memoryUsage().arrayBuffers;
  const t = Date.now();
  assert.throws(() => evaluate(huge), (e) => e.kind === 'TooLong' && e.end === huge.length);
  assert.throws(() => compile(huge), (e) => e.kind === 'TooLong');
  const ctx = new Context();
  assert.throws(() => ctx.addExpressionFunction(`f(x) = ${huge}`), (e) => e.kind === 'TooLong');
  ctx.free();
  assert.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024);
  assert.ok(Date.now() - t < 2000);
  stillWorks();
});

test('typed arrays that lie about their length cannot make a copy go wrong', () => {
  let calls = 0;
  class Liar extends Float64Array {
    get length() {
      calls++;
      return calls % 2 ? 2 : 7; // a different answer every time
    }
    static get [Symbol.species]() {
      throw new Error('species');
    }
  }
  const f = compile('x + y');
  const liar = new Liar([1, 2]);
  assert.equal(f.eval(liar), 3); // its true length is 2
  assert.deepEqual(f.evalBatch([new Liar([1, 2, 3]), new Liar([10, 20, 30])]), new Float64Array([11, 22, 33]));
  const out = new Liar(3);
  f.evalBatch([new Float64Array([1, 2, 3]), new Float64Array(3)], out);
  assert.deepEqual([out[0], out[1], out[2]], [1, 2, 3]);
  // A Proxy of a typed array is neither a typed array nor an array: an
  // object, which has no own `x` or `y`.
  const proxy = new Proxy(new Float64Array([1, 2]), {});
  assert.throws(() => f.eval(proxy), (e) => e.kind === 'ParamCount');
  assert.throws(() => f.evalBatch([proxy, proxy]), TypeError);
  const ctx = new Context();
  ctx.addArray('a', new Liar([5, 6]));
  assert.equal(ctx.evaluate('a[0] + a[1]'), 11);
  assert.throws(() => ctx.evaluate('a[2]'), (e) => e.kind === 'IndexOutOfBounds');
  // Patched built-ins do not reach the copies either.
  const saved = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float64Array.prototype), 'length');
  Object.defineProperty(Object.getPrototypeOf(Float64Array.prototype), 'length', { get: () => 1000, configurable: true });
  try {
    assert.equal(f.eval(new Float64Array([4, 5])), 9);
    assert.deepEqual(f.evalBatch([new Float64Array([1]), new Float64Array([2])])[0], 3);
  } finally {
    Object.defineProperty(Object.getPrototypeOf(Float64Array.prototype), 'length', saved);
  }
  f.free();
  ctx.free();
  stillWorks();
});
