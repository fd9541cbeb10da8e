// Every library of the JS benchmark on one expression, called the way its
// users call it:
//
// - exp-rs: `f.eval([x, y, z])`, an array literal per call as the README
//   shows, and `f.evalBatch(columns, out)` per batch; once per tier when the
//   build has the `tier` option of `compile`;
// - math.js: `compile(src)` once, then `code.evaluate(scope)`;
// - expr-eval: `parser.parse(src)` once, then `expr.evaluate(scope)`;
//   both with ONE scope object per expression whose fields the loop assigns
//   before each call (no wrapper that builds a scope, or copies an array
//   into one, per call);
// - hand-written JS: the expression's own function and loop (cases.mjs).
//
// Each timing loop is generated with `new Function` for one library on one
// expression, so V8 compiles it as it would a user's own loop: a shared
// loop calling a different closure per library would be megamorphic and
// slow down the fastest contenders most.

import { compile } from '../../wasm/pkg/node.js';
import * as mathjs from 'mathjs';
import exprEval from 'expr-eval';

/** Versions named in the report. */
export const VERSIONS = { mathjs: mathjs.version, exprEval: '2.0.2' };

const parser = new exprEval.Parser();

/**
 * The tiers this build of exp-rs offers: `['codegen', 'interpreter']`, or
 * `[null]` for a build whose `compile` has no `tier` option (its `stats()`
 * has no `tier`).
 */
export function tiers() {
  const probe = compile('x', ['x']);
  const tier = probe.stats().tier;
  probe.free();
  return tier === undefined ? [null] : ['codegen', 'interpreter'];
}

/** The contender's column name for an exp-rs tier (`null`: the only one). */
export const expRsName = (tier) => (tier ? `exp-rs ${tier}` : 'exp-rs');

/** Compiles `src` for `tier` (`null`: the build's only tier). */
export function compileExpRs(src, vars, tier) {
  return tier ? compile(src, vars, { tier }) : compile(src, vars);
}

const inputs = (vars) => vars.map((_, k) => `const I${k} = cols[${k}];`).join(' ');
const assign = (vars, at) => vars.map((v, k) => `scope.${v} = I${k}[${at}];`).join(' ');
const args = (vars, at) => vars.map((_, k) => `I${k}[${at}]`).join(', ');

/**
 * A per-call loop: `n` calls over the 1024-row `cols` (row `i & 1023`),
 * returning the sum of the results. `prelude` binds names from `env`.
 */
function callLoop(vars, prelude, call) {
  // eslint-disable-next-line no-new-func
  return new Function(
    'env',
    'cols',
    'n',
    `${prelude} ${inputs(vars)} let s = 0; for (let i = 0; i < n; i++) { const j = i & 1023; ${call} } return s;`,
  );
}

/** A per-point loop of a peer over the first `n` rows of `cols` into `out`. */
function pointLoop(vars) {
  // eslint-disable-next-line no-new-func
  return new Function(
    'env',
    'cols',
    'out',
    'n',
    `const m = env.m; const scope = env.scope; ${inputs(vars)} for (let i = 0; i < n; i++) { ${assign(vars, 'i')} out[i] = m.evaluate(scope); }`,
  );
}

/**
 * One contender on case `c`: `perCall(cols, n)` sums `n` single calls,
 * `perPoint(cols, out, n)` fills `out[0..n)` from the columns,
 * `compileFirst()` compiles from source and returns the first result,
 * `free()` releases what it holds. `expression` is the exp-rs object.
 */
export function contenders(c, tierList) {
  const out = [];
  for (const tier of tierList) {
    const f = compileExpRs(c.src, c.vars, tier);
    const env = { f };
    const loop = callLoop(c.vars, 'const f = env.f;', `s += f.eval([${args(c.vars, 'j')}]);`);
    out.push({
      name: expRsName(tier),
      tier,
      expression: f,
      perCall: (cols, n) => loop(env, cols, n),
      perPoint: (cols, dst) => f.evalBatch(cols, dst),
      compileFirst: () => {
        const g = compileExpRs(c.src, c.vars, tier);
        const r = g.eval(c.at);
        g.free();
        return r;
      },
      free: () => f.free(),
    });
  }
  const peer = (name, m, compileFirst) => {
    const env = { m, scope: Object.fromEntries(c.vars.map((v) => [v, 0])) };
    const call = callLoop(c.vars, 'const m = env.m; const scope = env.scope;', `${assign(c.vars, 'j')} s += m.evaluate(scope);`);
    const point = pointLoop(c.vars);
    return {
      name,
      perCall: (cols, n) => call(env, cols, n),
      perPoint: (cols, dst, n) => point(env, cols, dst, n),
      compileFirst,
      free: () => {},
    };
  };
  const scopeAt = () => Object.fromEntries(c.vars.map((v, k) => [v, c.at[k]]));
  out.push(peer('math.js', mathjs.compile(c.src), () => mathjs.compile(c.src).evaluate(scopeAt())));
  out.push(peer('expr-eval', parser.parse(c.src), () => parser.parse(c.src).evaluate(scopeAt())));
  const env = { fn: c.js };
  const call = callLoop(c.vars, 'const fn = env.fn;', `s += fn(${args(c.vars, 'j')});`);
  out.push({
    name: 'JS',
    perCall: (cols, n) => call(env, cols, n),
    perPoint: (cols, dst) => c.batch(cols, dst),
    free: () => {},
  });
  return out;
}
