// The tiny app every bundler builds (the `bundlers` job): the README's
// browser snippet, then a few calls whose results the test reads from the page.
import init, { compile, evaluate, ExpRsError } from 'exp-rs';

await init();
const f = compile('x * sin(y) + z');
let kind = 'no error';
try {
  evaluate('1 +');
} catch (e) {
  kind = e instanceof ExpRsError ? e.kind : `not an ExpRsError: ${e}`;
}
const result = `${f.eval([2, 0, 1.5])} ${evaluate('2 * x', { x: 21 })} ${kind}`;
f.free();
document.getElementById('out').textContent = result;
