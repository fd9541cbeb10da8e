// Type-checked by the `types` job with Node-only and with DOM settings (see
// ../tsconfig.*.json), then compiled and run: what TypeScript users write
// must be accepted, and must work.
import init, { Context, compile, evaluate, type Expression, type Scope } from 'exp-rs';

await init();

// An interface has no index signature; the scope types must accept it.
interface Vars {
  x: number;
  y: number;
}
const vars: Vars = { x: 2, y: 3 };
const fromInterface: number = evaluate('x * y', vars);

// Readonly arrays and tuples, for values and for parameter names.
const params: readonly string[] = ['x', 'y'] as const;
const f: Expression = compile('x - y', params);
const point: readonly [number, number] = [5, 1];
const frozen: ReadonlyArray<number> = Object.freeze([7, 2]);
const fromTuple: number = f.eval(point) + f.eval(frozen) + f.eval(vars);
const columns: readonly Float64Array[] = [new Float64Array([3]), new Float64Array([1])];
if (f.evalBatch(columns)[0] !== 2) throw new Error('evalBatch: wrong result');

const ctx = new Context();
const lut: readonly number[] = [0, 10, 20];
ctx.addArray('lut', lut);
interface Cal {
  gain: number;
}
const cal: Cal = { gain: 2 };
ctx.addObject('cal', cal);
const scope: Scope = { i: 1 };
const fromContext: number = ctx.evaluate('lut[i] * cal.gain', scope);

const g = compile('2 * x', ['x']);
if (g.eval([4]) !== 8) throw new Error('wrong result');
g[Symbol.dispose]();
f.free();
ctx.free();

const got = [fromInterface, fromTuple, fromContext];
const want = [6, 4 + 5 + -1, 20];
if (JSON.stringify(got) !== JSON.stringify(want)) {
  throw new Error(`scopes: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
console.log('scopes: ok', got);
