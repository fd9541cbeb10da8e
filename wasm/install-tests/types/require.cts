// The CommonJS door as TypeScript sees it (`require` resolves to
// node.d.cts / node.cjs): type-checked with Node-only settings, then run.
import expRs = require('exp-rs');

const v: number = expRs.evaluate('2 * x', { x: 21 });
const e: expRs.Expression = expRs.compile('x + 1', ['x']);
const w: number = e.eval([1]);
e.free();
if (v !== 42 || w !== 2) throw new Error(`require: got ${v}, ${w}`);
console.log('require: ok', v, w);
