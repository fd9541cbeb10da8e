// Node entry for `import` (the `node` + `import` export conditions): loads
// the WebAssembly module synchronously from the package directory, so
// `import { compile } from 'exp-rs'` is ready to use with no `await`.
// The default export (`await init()`) does nothing, so code shared with
// browsers works as is.
import { readFileSync } from 'node:fs';
import { initSync } from './exp_rs.js';
import { connect } from './tier.js';

connect(initSync({ module: readFileSync(new URL('./exp_rs_bg.wasm', import.meta.url)) }));

export * from './exp_rs.js';
export { compile } from './tier.js';
export { ExpRsError } from '@ERROR_JS@';

/** Already done on import; resolves at once. */
export default function init() {
  return Promise.resolve();
}
