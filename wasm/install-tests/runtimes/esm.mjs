// `import` of the package in Node, Bun and Deno (the `types` job runs it in
// each): the same check everywhere.
import init, { compile, evaluate, ExpRsError } from 'exp-rs';

await init();
const f = compile('x * sin(y) + z');
let kind = 'no error';
try {
  evaluate('1 +');
} catch (e) {
  kind = e instanceof ExpRsError ? e.kind : `not an ExpRsError: ${e}`;
}
const got = `${f.eval([2, 0, 1.5])} ${evaluate('2 * x', { x: 21 })} ${kind}`;
if (got !== '1.5 42 ExpectedOperand') throw new Error(`import: got ${got}`);
console.log(`import: ${got}`);
