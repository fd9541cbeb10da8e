// Hostile input: nothing may trap the module (a trapped instance is
// unusable), and nothing may reach into JS objects' prototypes.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Context, ExpRsError, compile, evaluate } from 'exp-rs';

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
  // Deep unary chains, brackets and calls too.
  for (const src of [
    '-'.repeat(100_000) + '1',
    '!'.repeat(50_000) + '1',
    'sin('.repeat(20_000) + '1' + ')'.repeat(20_000),
    'a['.repeat(20_000) + '0' + ']'.repeat(20_000),
    '1' + '+1'.repeat(100_000),
    '1' + '^1'.repeat(100_000),
    '1?'.repeat(30_000) + '1' + ':1'.repeat(30_000),
  ]) {
    onlyExpRsError(() => ctx.evaluate(src));
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
