// Every call of the JS API, through the package as `import 'exp-rs'`
// resolves it in Node (the `node` export condition).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import init, { Context, Expression, ExpRsError, compile, errorKinds, evaluate } from './tiered.mjs';

test('init() is a harmless no-op in Node', async () => {
  await init();
  assert.equal(evaluate('1 + 1'), 2);
});

test('evaluate with and without variables', () => {
  assert.equal(evaluate('2 * x + sin(pi / 2)', { x: 3 }), 7);
  assert.equal(evaluate('tau / pi'), 2);
  assert.equal(evaluate('1 / 0'), Infinity);
  assert.ok(Number.isNaN(evaluate('0 / 0')));
  assert.equal(evaluate('x', { x: -0 }), -0);
  assert.equal(evaluate('max(1, 5, 3)', undefined), 5);
  assert.equal(evaluate('2 ^ 10', null), 1024);
});

test('compile: params default to the free names in order of appearance', () => {
  const f = compile('x * sin(y) + z');
  assert.ok(f instanceof Expression);
  assert.deepEqual(f.params, ['x', 'y', 'z']);
  assert.equal(f.source, 'x * sin(y) + z');
  assert.equal(f.eval([2, 0, 1.5]), 1.5);
  const g = compile('b - a * pi');
  assert.deepEqual(g.params, ['b', 'a']);
  f.free();
  g.free();
});

test('compile: explicit params fix the order, and may be unused', () => {
  const f = compile('x - y', ['y', 'x', 'unused']);
  assert.deepEqual(f.params, ['y', 'x', 'unused']);
  assert.equal(f.eval([1, 10, 99]), 9);
  const k = compile('2 + 3', []);
  assert.deepEqual(k.params, []);
  assert.equal(k.eval([]), 5);
  assert.equal(k.eval(), 5);
  f.free();
  k.free();
});

test('eval takes number[], Float64Array or an object', () => {
  const f = compile('a * 10 + b');
  assert.equal(f.eval([1, 2]), 12);
  assert.equal(f.eval(new Float64Array([3, 4])), 34);
  assert.equal(f.eval({ b: 6, a: 5, extra: 'ignored' }), 56);
  assert.throws(() => f.eval([1, '2']), TypeError);
  assert.throws(() => f.eval({ a: 1, b: '2' }), TypeError);
  assert.throws(() => f.eval('12'), TypeError);
  assert.throws(() => f.eval([1]), (e) => e instanceof ExpRsError && e.kind === 'ParamCount');
  assert.throws(() => f.eval(new Float64Array(3)), (e) => e.kind === 'ParamCount');
  assert.throws(() => f.eval({ a: 1 }), (e) => e.kind === 'ParamCount' && /`b`/.test(e.message));
  f.free();
});

test('evalBatch agrees with eval, point by point', () => {
  const f = compile('x * sin(y) + z ^ 2 - (x > y ? x : y)');
  const n = 1000; // many internal chunks of 64 rows, the last one partial
  const cols = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    cols[0][i] = i / 7 - 50;
    cols[1][i] = Math.cos(i) * 3;
    cols[2][i] = (i % 13) / 3;
  }
  const out = f.evalBatch(cols);
  assert.ok(out instanceof Float64Array);
  assert.equal(out.length, n);
  for (let i = 0; i < n; i++) {
    assert.equal(out[i], f.eval([cols[0][i], cols[1][i], cols[2][i]]), `row ${i}`);
  }
  // Into a caller's buffer, which is returned.
  const mine = new Float64Array(n);
  assert.equal(f.evalBatch(cols, mine), mine);
  assert.deepEqual(mine, out);
  f.free();
});

test('evalBatch edge cases', () => {
  const f = compile('x + 1');
  assert.deepEqual(f.evalBatch([new Float64Array(0)]), new Float64Array(0));
  assert.throws(() => f.evalBatch([]), (e) => e.kind === 'ParamCount');
  assert.throws(() => f.evalBatch([[1, 2]]), TypeError);
  assert.throws(() => f.evalBatch(new Float64Array(2)), TypeError);
  assert.throws(() => f.evalBatch([new Float64Array(2)], new Float64Array(3)), RangeError);
  const g = compile('x + y');
  assert.throws(() => g.evalBatch([new Float64Array(2), new Float64Array(3)]), RangeError);
  // No parameters: as many points as `out` has, else one.
  const k = compile('6 * 7');
  assert.deepEqual(k.evalBatch([]), new Float64Array([42]));
  assert.deepEqual(k.evalBatch([], new Float64Array(3)), new Float64Array([42, 42, 42]));
  // A failing point throws, naming its row.
  const ctx = new Context();
  ctx.addArray('a', [10, 20, 30]);
  const idx = ctx.compile('a[i]');
  assert.throws(
    () => idx.evalBatch([new Float64Array([0, 1, 2, 3, 1])]),
    (e) => e.kind === 'IndexOutOfBounds' && e.row === 3 && e.start === 0 && e.end === 4,
  );
  for (const e of [f, g, k, idx, ctx]) e.free();
});

test('eval and evalBatch allocate nothing (counted by the allocator)', () => {
  const ctx = new Context();
  ctx.addExpressionFunction('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
  ctx.addArray('lut', [1, 2, 3, 4]);
  ctx.addObject('cal', { gain: 2 });
  ctx.addFunction('twice', (v) => 2 * v);
  ctx.addVariadicFunction('total', (...v) => v.reduce((s, t) => s + t, 0));
  const f = ctx.compile(
    'fact(x) + lut[y] * cal.gain + hypot(x, y) + (x > y && y > 0) + twice(x) + total(x, y, 1, 2, 3)',
  );
  assert.equal(f.eval([5, 2]), 120 + 6 + Math.hypot(5, 2) + 1 + 10 + 13);
  let s = f.stats();
  assert.equal(s.allocationsLastEval, 0);
  assert.equal(s.bytesAllocatedLastEval, 0);
  f.eval(new Float64Array([4, 1]));
  assert.equal(f.stats().allocationsLastEval, 0);
  f.eval({ x: 3, y: 3 });
  assert.equal(f.stats().allocationsLastEval, 0);
  const n = 5000;
  const xs = Float64Array.from({ length: n }, (_, i) => i % 10);
  const ys = Float64Array.from({ length: n }, (_, i) => i % 4);
  const out = new Float64Array(n);
  f.evalBatch([xs, ys], out);
  s = f.stats();
  assert.equal(s.allocationsLastEval, 0);
  assert.equal(s.bytesAllocatedLastEval, 0);
  f.evalBatch([xs, ys]);
  assert.equal(f.stats().allocationsLastEval, 0);
  f.free();
  ctx.free();
});

test('stats reports sizes', () => {
  const f = compile('x * 2 + 1');
  const s = f.stats();
  assert.deepEqual(Object.keys(s).sort(), [
    'allocationsLastEval',
    'arenaBytes',
    'bytesAllocatedLastEval',
    'maxStack',
    'moduleSize',
    'programLength',
    'tier',
  ]);
  assert.ok(s.arenaBytes > 0);
  assert.ok(s.programLength >= 1);
  assert.ok(s.maxStack >= 0);
  f.free();
});

test('ast is a plain JSON tree with spans', () => {
  const ctx = new Context();
  ctx.addObject('p', { y: 1 });
  ctx.addArray('a', [1, 2, 3]);
  ctx.addFunction('g', (u, v) => u + v);
  const e = ctx.compile('-x + p.y * g(1e3, a[2]) ? 1 : 0');
  const ast = e.ast();
  assert.equal(JSON.stringify(ast), JSON.stringify(JSON.parse(JSON.stringify(ast))));
  assert.equal(ast.kind, 'conditional');
  assert.deepEqual(ast.span, [0, 31]);
  const [cond, then, otherwise] = ast.children;
  assert.deepEqual(then, { kind: 'number', value: 1, text: '1', span: [26, 27], children: [] });
  assert.equal(otherwise.value, 0);
  assert.equal(cond.kind, 'binary');
  assert.equal(cond.op, '+');
  const [neg, mul] = cond.children;
  assert.deepEqual(neg, {
    kind: 'unary',
    op: '-',
    span: [0, 2],
    children: [{ kind: 'name', name: 'x', span: [1, 2], children: [] }],
  });
  const [field, call] = mul.children;
  assert.deepEqual(field, {
    kind: 'field',
    name: 'p',
    field: 'y',
    nameSpan: [5, 6],
    fieldSpan: [7, 8],
    span: [5, 8],
    children: [],
  });
  assert.equal(call.kind, 'call');
  assert.equal(call.name, 'g');
  assert.deepEqual(call.nameSpan, [11, 12]);
  assert.equal(call.children[0].value, 1000);
  assert.equal(call.children[0].text, '1e3');
  assert.equal(call.children[1].kind, 'index');
  assert.equal(call.children[1].name, 'a');
  assert.equal(call.children[1].children[0].value, 2);
  for (const o of [e, ctx]) o.free();
});

test('program is the disassembly listing', () => {
  const f = compile('x * sin(y) + z');
  const text = f.program();
  // The instruction set is core's to change; only the shape is checked.
  assert.match(text, /^ +0  /);
  assert.match(text, /\bsin\b/);
  assert.match(text, /; \d+ instructions, stack \d+, call depth \d+$/);
  f.free();
});

test('Context: constants, functions, expression functions, arrays, objects', () => {
  const ctx = new Context();
  ctx.setConstant('g', 9.81);
  ctx.addFunction('twice', (x) => 2 * x); // arity from fn.length
  ctx.addFunction('three', () => 3, 0);
  ctx.addVariadicFunction('hypotn', Math.hypot, 1);
  ctx.addVariadicFunction('count', (...a) => a.length); // minArgs 0
  ctx.addExpressionFunction('hyp(a, b) = sqrt(a^2 + b^2)');
  ctx.addArray('lut', [0, 10, 20]);
  ctx.addArray('f64', new Float64Array([1.5, 2.5]));
  ctx.addObject('cal', { gain: 2, offset: 0.5 });
  assert.equal(
    ctx.evaluate('twice(hyp(3, 4)) + lut[1] + cal.gain * x - g', { x: 1 }),
    10 + 10 + 2 - 9.81,
  );
  assert.equal(ctx.evaluate('three() + hypotn(3, 4) + count() + count(1, 2, 3, 4, 5, 6)'), 3 + 5 + 0 + 6);
  assert.equal(ctx.evaluate('f64[1] + cal.offset'), 3);
  assert.throws(() => ctx.evaluate('hypotn()'), (e) => e.kind === 'Arity');
  assert.throws(() => ctx.evaluate('twice(1, 2)'), (e) => e.kind === 'Arity');
  // Natives with many arguments get them all, in order.
  ctx.addFunction('digits', (...d) => d.reduce((s, x) => s * 10 + x, 0), 6);
  assert.equal(ctx.evaluate('digits(1, 2, 3, 4, 5, 6)'), 123456);
  assert.ok(ctx.functionNames().includes('hyp'));
  assert.ok(ctx.functionNames().includes('sin'));
  assert.deepEqual(ctx.constantNames(), ['e', 'g', 'pi', 'tau']);
  ctx.free();
});

test('Context: an expression keeps the context as it was when it was compiled', () => {
  const ctx = new Context();
  ctx.setConstant('k', 1);
  ctx.addFunction('f', (x) => x + 1);
  ctx.addArray('lut', [1, 2]);
  ctx.addExpressionFunction('g(x) = x * k');
  const before = ctx.compile('k + f(0) + lut[1] + g(1)');
  assert.equal(before.eval([]), 1 + 1 + 2 + 1);
  // Every kind of change after the compile: the compiled expression is
  // untouched, a later compile sees the change.
  ctx.setConstant('k', 100);
  ctx.addFunction('f', (x) => x + 1000);
  ctx.addArray('lut', [10, 20]);
  ctx.addExpressionFunction('g(x) = -x');
  assert.equal(before.eval([]), 5);
  const after = ctx.compile('k + f(0) + lut[1] + g(1)');
  assert.equal(after.eval([]), 100 + 1000 + 20 - 1);
  assert.equal(ctx.remove('f'), true);
  assert.equal(ctx.remove('f'), false);
  assert.throws(() => ctx.compile('f(0)'), (e) => e.kind === 'UnknownFunction');
  assert.equal(before.eval([]), 5);
  assert.equal(after.eval([]), 1119);
  // Limits too: a compiled expression keeps its step budget.
  ctx.addExpressionFunction('down(n) = n <= 0 ? 0 : down(n - 1)');
  const deep = ctx.compile('down(50)');
  ctx.setLimits({ maxSteps: 10 });
  assert.equal(deep.eval([]), 0);
  assert.throws(() => ctx.evaluate('down(50)'), (e) => e.kind === 'StepLimit');
  ctx.setLimits({ maxSteps: 10000000 });
  // Built-ins can be removed and replaced too.
  ctx.remove('sin');
  assert.throws(() => ctx.evaluate('sin(0)'), (e) => e.kind === 'UnknownFunction');
  ctx.addFunction('sin', (_x) => 42);
  assert.equal(ctx.evaluate('sin(0)'), 42);
  // A native callback may change the context while an expression of it runs.
  ctx.addFunction('bump', (x) => {
    ctx.setConstant('k', x);
    return x;
  });
  assert.equal(ctx.evaluate('bump(7) + k'), 7 + 100);
  assert.equal(ctx.evaluate('k'), 7);
  // The context can go before its expressions.
  ctx.free();
  assert.equal(before.eval([]), 5);
  before.free();
  after.free();
  deep.free();
});

test('names must be names of the language', () => {
  const ctx = new Context();
  for (const bad of ['', '1x', 'a b', 'x-y']) {
    assert.throws(() => ctx.setConstant(bad, 1), (e) => e.kind === 'ExpectedName');
    assert.throws(() => ctx.addArray(bad, [1]), (e) => e.kind === 'ExpectedName');
    assert.throws(() => ctx.addFunction(bad, (x) => x), (e) => e.kind === 'ExpectedName');
    assert.throws(() => ctx.compile('1', [bad]), (e) => e.kind === 'ExpectedName');
    assert.throws(() => evaluate('1', { [bad]: 1 }), (e) => e.kind === 'ExpectedName');
  }
  ctx.free();
});

test('StepLimit: a runaway recursion stops at maxSteps, spanning the expression', () => {
  const ctx = new Context();
  ctx.addExpressionFunction('down(n) = n <= 0 ? 0 : down(n - 1)');
  ctx.setLimits({ maxSteps: 1000 });
  assert.equal(ctx.limits().maxSteps, 1000);
  assert.equal(ctx.evaluate('down(10)'), 0);
  const src = '1 + down(x)';
  const f = ctx.compile(src);
  assert.throws(
    () => f.eval([100000]),
    (e) => e.kind === 'StepLimit' && e.code === 22 && e.start === 0 && e.end === src.length,
  );
  assert.throws(
    () => f.evalBatch([new Float64Array([1, 100000])]),
    (e) => e.kind === 'StepLimit' && e.row === 1,
  );
  assert.throws(() => ctx.setLimits({ maxSteps: -1 }), RangeError);
  f.free();
  ctx.free();
});

test('programView: the program as data', () => {
  const f = compile('x*2*3', ['x']);
  const view = f.programView();
  assert.deepEqual(view.instructions, [
    {
      pc: 0,
      opcode: '*',
      operands: [{ kind: 'param', name: 'x', slot: 0 }, { kind: 'const', value: 6 }],
      start: 0,
      end: 5,
      function: null,
    },
  ]);
  assert.equal(view.stackSize, f.stats().maxStack);
  assert.equal(view.callDepth, 0);
  assert.deepEqual(view.functions, []);
  f.free();

  // Folded nodes, jumps, functions, natives and arrays.
  const ctx = new Context();
  ctx.addExpressionFunction('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
  ctx.addFunction('twice', (v) => 2 * v);
  ctx.addArray('lut', [1, 2, 3]);
  const src = 'x > 0 ? fact(x) + twice(x) : lut[x] + 2 * pi';
  const g = ctx.compile(src);
  const v = g.programView();
  assert.deepEqual(v.folded.map(([s, e]) => src.slice(s, e)), ['pi', '2 * pi']);
  const ops = v.instructions.map((i) => i.opcode);
  assert.ok(ops.includes('jfalse') && ops.includes('jump') && ops.includes('ret'), ops.join(' '));
  const kinds = new Set(v.instructions.flatMap((i) => i.operands.map((o) => o.kind)));
  for (const k of ['function', 'native', 'array', 'target', 'arg', 'const']) {
    assert.ok(kinds.has(k), `operand kind ${k}`);
  }
  assert.equal(v.functions.length, 1);
  const [fn] = v.functions;
  assert.equal(fn.name, 'fact');
  assert.deepEqual(fn.params, ['n']);
  assert.equal(fn.source, 'fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
  for (const i of v.instructions) {
    const inFn = i.pc >= fn.entry;
    assert.equal(i.function, inFn ? 0 : null);
    const text = inFn ? fn.source : src;
    assert.ok(i.start <= i.end && i.end <= text.length);
  }
  assert.ok(v.callDepth >= 1);
  // Jump targets name instructions.
  for (const i of v.instructions) {
    for (const o of i.operands) {
      if (o.kind === 'target') assert.ok(o.value >= 0 && o.value <= v.instructions.length);
    }
  }
  // The disassembly prints the same instructions.
  assert.equal(g.program().split('\n').filter((l) => /^\s+\d+ /.test(l)).length, v.instructions.length);
  g.free();
  ctx.free();
});

test('Context.empty has no built-ins', () => {
  const ctx = Context.empty();
  assert.throws(() => ctx.evaluate('sin(0)'), (e) => e.kind === 'UnknownFunction');
  assert.throws(() => ctx.evaluate('pi'), (e) => e.kind === 'UnknownVariable');
  assert.equal(ctx.evaluate('1 + 2'), 3);
  assert.deepEqual(ctx.functionNames(), []);
  ctx.free();
});

test('Context limits', () => {
  const ctx = new Context();
  assert.deepEqual(ctx.limits(), {
    maxDepth: 256,
    maxLen: 65536,
    maxCalls: 256,
    maxTotalCalls: 1000000,
    maxSteps: 10000000,
    maxArenaBytes: null,
  });
  ctx.setLimits({ maxDepth: 3, maxLen: 10 });
  assert.throws(() => ctx.evaluate('((((1))))'), (e) => e.kind === 'TooDeep');
  assert.throws(() => ctx.evaluate('1 + 2 + 3 + 4'), (e) => e.kind === 'TooLong');
  ctx.setLimits({ maxDepth: 256, maxLen: 65536, maxArenaBytes: 64 });
  assert.throws(() => ctx.compile('1 + 2 + 3 + x'), (e) => e.kind === 'ArenaFull');
  ctx.setLimits({ maxArenaBytes: null });
  assert.equal(ctx.evaluate('1 + 2 + 3 + x', { x: 4 }), 10);
  ctx.addExpressionFunction('down(n) = n <= 0 ? 0 : down(n - 1)');
  ctx.setLimits({ maxCalls: 10 });
  assert.equal(ctx.evaluate('down(9)'), 0);
  assert.throws(() => ctx.evaluate('down(20)'), (e) => e.kind === 'RecursionLimit');
  ctx.setLimits({ maxTotalCalls: 10 });
  assert.equal(ctx.evaluate('down(9)'), 0); // 10 calls
  assert.throws(() => ctx.evaluate('down(10)'), (e) => e.kind === 'RecursionLimit');
  assert.equal(ctx.limits().maxTotalCalls, 10);
  assert.throws(() => ctx.setLimits({ maxDepth: 1e9 }), RangeError);
  assert.throws(() => ctx.setLimits({ nope: 1 }), TypeError);
  assert.throws(() => ctx.setLimits({ maxCalls: 'x' }), TypeError);
  ctx.free();
});

test('errorKinds lists the kinds in code order', () => {
  const kinds = errorKinds();
  assert.equal(kinds.length, 23);
  assert.equal(kinds[0], 'InvalidCharacter');
  assert.equal(kinds[20], 'Reentrant');
  assert.equal(kinds[21], 'StepLimit');
  assert.equal(kinds[22], 'NotDifferentiable');
});

test('using: Symbol.dispose frees', () => {
  const f = compile('1');
  f[Symbol.dispose]();
  assert.throws(() => f.eval([]));
});

test('evaluate: scope objects nest for p.x, and arrays serve a[i]', () => {
  assert.equal(evaluate('p.x', { p: { x: 1 } }), 1);
  assert.equal(evaluate('p.x * a[1] + y', { p: { x: 2 }, a: [1, 5], y: 0.5 }), 10.5);
  assert.equal(evaluate('a[2]', { a: new Float64Array([1, 2, 3]) }), 3);
  // The nested names live for this evaluation only.
  assert.throws(() => evaluate('p.x'), (e) => e instanceof ExpRsError && e.kind === 'UnknownVariable');
  assert.throws(
    () => evaluate('p.z', { p: { x: 1 } }),
    (e) => e instanceof ExpRsError && e.kind === 'UnknownField' && e.start === 2,
  );
  assert.throws(() => evaluate('p.x', { p: { x: 'one' } }), TypeError);
  assert.throws(() => evaluate('p.x', { p: { x: { y: 1 } } }), TypeError);
  assert.throws(() => evaluate('s', { s: 'text' }), TypeError);
  // A context's own names, and its constants, are untouched.
  const ctx = new Context();
  ctx.addObject('p', { x: 7 });
  assert.equal(ctx.evaluate('p.x + q.y', { q: { y: 1 } }), 8);
  assert.equal(ctx.evaluate('p.x', { p: { x: 1 } }), 1);
  assert.equal(ctx.evaluate('p.x'), 7);
  ctx.free();
});

test('String(f) and toString() give the canonical source', () => {
  const f = compile('x*2 + (y)');
  assert.equal(String(f), 'x * 2 + y');
  assert.equal(`${f}`, f.toString());
  assert.equal(compile(String(f)).eval([3, 1]), f.eval([3, 1]));
  f.free();
});

test('free() and [Symbol.dispose]() are idempotent; a freed object says so', () => {
  const f = compile('x + 1');
  f.free();
  f.free();
  if (Symbol.dispose) f[Symbol.dispose]();
  const freed = (e) => e instanceof TypeError && /was freed/.test(e.message);
  assert.throws(() => f.eval([1]), freed);
  assert.throws(() => f.evalBatch([new Float64Array(1)]), freed);
  assert.throws(() => f.stats(), freed);
  assert.throws(() => f.params, freed);
  assert.throws(() => String(f), freed);
  const ctx = new Context();
  const g = ctx.compile('x * 2');
  ctx.free();
  ctx.free();
  assert.throws(() => ctx.compile('1'), freed);
  assert.throws(() => ctx.setConstant('k', 1), freed);
  // An expression keeps the context as it was when compiled.
  assert.equal(g.eval([2]), 4);
  if (Symbol.dispose) {
    g[Symbol.dispose]();
    g[Symbol.dispose]();
  }
  assert.throws(() => g.eval([2]), freed);
});
