// Every error kind, thrown as ExpRsError with its span and caret message.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Context, ExpRsError, compile, errorKinds, evaluate } from './tiered.mjs';

/** Runs `f`, which must throw an ExpRsError; returns it. */
function thrown(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ExpRsError, `not an ExpRsError: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'ExpRsError');
    return e;
  }
  assert.fail('did not throw');
}

function fixture() {
  const ctx = new Context();
  ctx.addObject('p', { x: 1, y: 2 });
  ctx.addArray('a', [1, 2, 3]);
  ctx.addExpressionFunction('forever(n) = forever(n + 1)');
  ctx.addFunction('fail', (_x) => {
    throw new RangeError('boom');
  });
  ctx.addFunction('notANumber', () => 'seven');
  return ctx;
}

// kind, source, [start, end], the message's second line.
const CASES = [
  ['InvalidCharacter', '1 @ 2', [2, 3], '  ^ invalid character `@`'],
  ['InvalidNumber', '1.2.3', [0, 5], '^ invalid number literal `1.2.3`'],
  ['ExpectedOperand', 'sin(x +* 2)', [7, 8], '       ^ expected an operand, found `*`'],
  ['ExpectedOperand', '1 +', [3, 3], '   ^ expected an operand, found end of input'],
  ['UnexpectedToken', '1 2', [2, 3], '  ^ unexpected `2`'],
  ['UnclosedDelimiter', '(1 + 2', [0, 1], '^ unclosed `(`'],
  ['UnclosedDelimiter', 'a[1', [1, 2], ' ^ unclosed `[`'],
  ['ExpectedName', 'p.', [2, 2], '  ^ expected a field name after `.`, found end of input'],
  ['TooDeep', '('.repeat(300) + '1' + ')'.repeat(300), [256, 257], null],
  ['TooLong', '1+'.repeat(40000) + '1', [65536, 80001], 'too long'],
  ['UnknownVariable', 'x + y', [4, 5], '    ^ unknown variable `y`'],
  ['UnknownFunction', 'nope(1)', [0, 4], '^ unknown function `nope`'],
  ['Arity', 'sin(1, 2)', [0, 9], '^ wrong number of arguments'],
  ['UnknownField', 'p.z', [2, 3], '  ^ unknown field `z`'],
  ['NotAValue', 'sin + 1', [0, 3], '^ not a value `sin`'],
  ['NotAValue', 'p', [0, 1], '^ not a value `p`'],
  ['NotAnArray', 'p[0]', [0, 1], '^ not an array `p`'],
  ['IndexOutOfBounds', '1 + a[5]', [4, 8], '    ^ index out of bounds'],
  ['IndexOutOfBounds', 'a[-1]', [0, 5], '^ index out of bounds'],
  ['RecursionLimit', 'forever(1)', [0, 10], '^ recursion limit reached'],
  ['Callback', '1 + fail(2)', [4, 11], '    ^ native function failed'],
  ['Callback', 'notANumber()', [0, 12], '^ native function failed'],
];

for (const [kind, src, [start, end], caret] of CASES) {
  test(`${kind}: ${src.length > 20 ? src.slice(0, 20) + '…' : src}`, () => {
    const ctx = fixture();
    const e = thrown(() => ctx.evaluate(src, { x: 1 }));
    assert.equal(e.kind, kind);
    assert.equal(e.code, errorKinds().indexOf(kind) + 1);
    assert.deepEqual([e.start, e.end], [start, end]);
    if (caret === 'too long') {
      // Refused before the string is copied into wasm memory.
      assert.equal(e.message, `expression too long: ${src.length} characters, the limit is 65536 bytes`);
    } else if (caret !== null) {
      assert.equal(e.message, `${src}\n${caret}`);
    } else {
      assert.match(e.message, /\n *\^ /);
    }
    // Compiling finds the same error (evaluation errors are found when run).
    ctx.free();
  });
}

test('TooLong: counted in UTF-8 bytes, reported in string indices', () => {
  // 40,000 characters, 80,000 UTF-8 bytes: core refuses it at byte 65,536.
  const src = 'é'.repeat(40000);
  let e;
  try {
    evaluate(src);
  } catch (err) {
    e = err;
  }
  assert.equal(e.kind, 'TooLong');
  assert.deepEqual([e.start, e.end], [32768, 40000]);
  assert.match(e.message, /\^ expression too long$/);
});

test('ArenaFull: a capped arena', () => {
  const ctx = new Context();
  ctx.setLimits({ maxArenaBytes: 64 });
  const e = thrown(() => ctx.compile('1 + 2 + 3 + x'));
  assert.equal(e.kind, 'ArenaFull');
  assert.match(e.message, /arena is full$/);
  ctx.free();
});

test('DuplicateName: parameters and function parameters', () => {
  const e = thrown(() => compile('x', ['x', 'x']));
  assert.equal(e.kind, 'DuplicateName');
  const ctx = new Context();
  const d = thrown(() => ctx.addExpressionFunction('f(a, a) = a'));
  assert.equal(d.kind, 'DuplicateName');
  assert.deepEqual([d.start, d.end], [5, 6]);
  assert.equal(d.message, 'f(a, a) = a\n     ^ name declared twice `a`');
  ctx.free();
});

test('expression-function definitions report errors into the definition', () => {
  const ctx = new Context();
  const e = thrown(() => ctx.addExpressionFunction('f(a) = a + b'));
  assert.equal(e.kind, 'UnknownVariable');
  assert.deepEqual([e.start, e.end], [11, 12]);
  const s = thrown(() => ctx.addExpressionFunction('f(a) = a +'));
  assert.equal(s.kind, 'ExpectedOperand');
  // A failed definition defines nothing.
  assert.equal(thrown(() => ctx.evaluate('f(1)')).kind, 'UnknownFunction');
  ctx.free();
});

test('ParamCount', () => {
  const f = compile('x + y');
  const e = thrown(() => f.eval([1]));
  assert.equal(e.kind, 'ParamCount');
  assert.deepEqual([e.start, e.end], [0, 0]);
  f.free();
});

test('Callback: what the function threw is the cause', () => {
  const ctx = fixture();
  const e = thrown(() => ctx.evaluate('1 + fail(2)'));
  assert.ok(e.cause instanceof RangeError);
  assert.equal(e.cause.message, 'boom');
  const n = thrown(() => ctx.evaluate('notANumber()'));
  assert.ok(n.cause instanceof TypeError);
  ctx.free();
});

test('Callback: an error inside an expression function body reports the outer call', () => {
  const ctx = fixture();
  ctx.addExpressionFunction('wrap(x) = 2 * fail(x)');
  const e = thrown(() => ctx.evaluate('1 + wrap(3)'));
  assert.equal(e.kind, 'Callback');
  assert.deepEqual([e.start, e.end], [4, 11]);
  ctx.free();
});

test('Reentrant: a callback evaluating the expression that called it', () => {
  const ctx = new Context();
  let f;
  ctx.addFunction('again', (_x) => f.eval([1]));
  f = ctx.compile('again(x)');
  const e = thrown(() => f.eval([1]));
  assert.equal(e.kind, 'Callback');
  assert.ok(e.cause instanceof ExpRsError);
  assert.equal(e.cause.kind, 'Reentrant');
  // The same for evalBatch, and the expression still works afterwards.
  const b = thrown(() => f.evalBatch([new Float64Array([1])]));
  assert.equal(b.cause.kind, 'Reentrant');
  ctx.addFunction('again', (x) => x * 2);
  const ok = ctx.compile('again(x)');
  assert.equal(ok.eval([21]), 42);
  f.free();
  ok.free();
  ctx.free();
});

test('a callback may compile and evaluate other expressions', () => {
  const ctx = new Context();
  const inner = compile('x * x');
  ctx.addFunction('sq', (x) => inner.eval([x]));
  ctx.addFunction('fresh', (x) => evaluate('x + 1', { x }));
  assert.equal(ctx.evaluate('sq(3) + fresh(1)'), 11);
  inner.free();
  ctx.free();
});

test('spans are JS string indices, also after non-ASCII text', () => {
  // `é` is 2 bytes in UTF-8 but 1 JS char; `𝑥` is 4 bytes, 2 JS chars.
  const e = thrown(() => evaluate('1 + é'));
  assert.equal(e.kind, 'InvalidCharacter');
  assert.deepEqual([e.start, e.end], [4, 5]);
  const src = '1 + 𝑥';
  const f = thrown(() => evaluate(src));
  assert.equal(src.slice(f.start, f.end), '𝑥');
});

test('NotDifferentiable: a JS function without a derivative, at the call', () => {
  const e = thrown(() => fixture().compile('1 + fail(x)').derivative('x'));
  assert.equal(e.kind, 'NotDifferentiable');
  assert.deepEqual([e.start, e.end], [4, 11]);
  assert.ok(e.message.endsWith('    ^ not differentiable'), e.message);
});

test('every kind is covered by this file', () => {
  const covered = new Set([
    ...CASES.map((c) => c[0]),
    'ArenaFull',
    'DuplicateName',
    'ParamCount',
    'Reentrant',
    'NotDifferentiable',
    // Nothing raises StepLimit yet: the step budget (`Limits::max_steps`)
    // is not implemented. Replace this with a case when it is.
    'StepLimit',
  ]);
  assert.deepEqual([...covered].sort(), [...errorKinds()].sort());
});
