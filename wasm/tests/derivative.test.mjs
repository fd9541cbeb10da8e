// Printing, derivatives and simplification through the npm package
// (issue 17): toString round-trips bit for bit, derivative(name) compiles
// with the same parameters and matches central differences, simplify
// returns canonical source.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Context, ExpRsError, compile, simplify } from 'exp-rs';

test('toString is the canonical source and round-trips bit for bit', () => {
  const f = compile('(((x)))*-(2.50)^(y+1)', ['x', 'y']);
  assert.equal(f.toString(), 'x * -2.5^(y + 1)');
  assert.equal(String(f), 'x * -2.5^(y + 1)');
  assert.equal(`${compile('2**-2^2')}`, '2^-2^2');
  const sources = [
    'x - (y - 1)', '(x ? y : 1) ? 2 : 3', 'atan2(y, x) % 0.3 + -x^0.5',
    'max(x, y, 1e-7) / 1e21', '!(x < y) && y >= 0.1 || x != 3', '(x, y) * 2',
  ];
  for (const src of sources) {
    const a = compile(src, ['x', 'y']);
    const b = compile(a.toString(), ['x', 'y']);
    assert.equal(b.toString(), a.toString(), src);
    for (const [x, y] of [[0.3, 1.7], [-2, 0.5], [1e-3, 4]]) {
      assert.ok(Object.is(a.eval([x, y]), b.eval([x, y])), `${src} at ${x}, ${y}`);
    }
  }
});

test('derivative: simplified, same parameters, evaluates', () => {
  const f = compile('x^3 + sin(x * y)', ['x', 'y']);
  const d = f.derivative('x');
  assert.deepEqual(d.params, ['x', 'y']);
  assert.equal(d.toString(), '3 * x^2 + cos(x * y) * y');
  assert.equal(d.source, d.toString());
  assert.equal(d.eval([2, 0]), 12);
  assert.equal(compile('x * 2').derivative('x').toString(), '2');
  assert.equal(compile('sin(x)').derivative('x').toString(), 'cos(x)');
  assert.equal(compile('exp(x)').derivative('x').toString(), 'exp(x)');
  assert.equal(compile('x * y').derivative('x').toString(), 'y');
  assert.equal(compile('x^3').derivative('x').toString(), '3 * x^2');
  // Second derivative, and a parameter the expression does not use.
  assert.equal(compile('x^3').derivative('x').derivative('x').toString(), '6 * x');
  assert.equal(compile('y', ['x', 'y']).derivative('x').toString(), '0');
  // Evaluation of a derivative allocates nothing.
  d.eval([1, 2]);
  assert.equal(d.stats().allocationsLastEval, 0);
});

test('derivative matches central differences on smooth expressions', () => {
  const sources = [
    'sqrt(1 + x^2) * atan(y)', 'exp(sin(x * y)) / (2 + cos(x))', 'ln(2 + x^2) - y^x',
    'hypot(x, 2 * y) + tanh(x - y)', '(1.5 + cos(x))^sin(y)', 'x > 0 ? x^2 : -x',
  ];
  for (const src of sources) {
    const f = compile(src, ['x', 'y']);
    for (const [name, i] of [['x', 0], ['y', 1]]) {
      const d = f.derivative(name);
      for (const p of [[0.7, 1.3], [1.9, 0.4]]) {
        const h = 1e-6;
        const up = [...p];
        const down = [...p];
        up[i] += h;
        down[i] -= h;
        const want = (f.eval(up) - f.eval(down)) / (2 * h);
        const got = d.eval(p);
        assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `d/d${name} ${src}: ${got} vs ${want}`);
      }
    }
  }
});

test('derivative errors: NotDifferentiable at the call, UnknownVariable', () => {
  const ctx = new Context();
  ctx.addFunction('twice', (x) => 2 * x);
  ctx.addExpressionFunction('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
  assert.throws(
    () => ctx.compile('1 + twice(x)').derivative('x'),
    (e) => e instanceof ExpRsError && e.kind === 'NotDifferentiable' && e.code === 23 && e.start === 4 && e.end === 12,
  );
  assert.throws(() => ctx.compile('fact(x)').derivative('x'), (e) => e.kind === 'NotDifferentiable');
  assert.throws(() => compile('x').derivative('z'), (e) => e.kind === 'UnknownVariable');
  // A registered derivative makes the JS function differentiable.
  ctx.addExpressionFunction('twice_d(t) = 2');
  ctx.setDerivative('twice', 0, 'twice_d');
  const d = ctx.compile('twice(x^2)').derivative('x');
  assert.equal(d.toString(), '2 * twice_d(x^2) * x');
  assert.equal(d.eval([3]), 12);
});

test('hostile derivatives are errors, not hangs', () => {
  const src = `${'sq('.repeat(40)}x${')'.repeat(40)}`;
  const ctx = new Context();
  ctx.addExpressionFunction('sq(t) = t * t');
  assert.throws(() => ctx.compile(src).derivative('x'), (e) => ['ArenaFull', 'TooDeep'].includes(e.kind));
});

test('simplify returns canonical simplified source', () => {
  assert.equal(simplify('x * 3 * 2 + 0'), '6 * x');
  assert.equal(simplify('(x + 0) * 1 - -y + 2 * 3'), 'x + y + 6');
  assert.equal(simplify('--x^1'), 'x');
  assert.throws(() => simplify('x +* 2'), (e) => e.kind === 'ExpectedOperand' && e.start === 3);
});
