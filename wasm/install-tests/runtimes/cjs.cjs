// `require` of the package in Node, Bun and Deno (the `types` job runs it
// in each; Deno through `createRequire`, see cjs-deno.mjs).
const { compile, evaluate, ExpRsError } = require('exp-rs');

const f = compile('x * sin(y) + z');
let kind = 'no error';
try {
  evaluate('1 +');
} catch (e) {
  kind = e instanceof ExpRsError ? e.kind : `not an ExpRsError: ${e}`;
}
const got = `${f.eval([2, 0, 1.5])} ${evaluate('2 * x', { x: 21 })} ${kind}`;
if (got !== '1.5 42 ExpectedOperand') throw new Error(`require: got ${got}`);
console.log(`require: ${got}`);
