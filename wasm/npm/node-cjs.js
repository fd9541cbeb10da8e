// Source of `node.cjs`, the entry for `require('exp-rs')` (the `require`
// export condition), which Node 20.0–20.18 need: they cannot `require()` an
// ES module. xtask bundles this file, the wasm-bindgen glue and its snippets
// into one CommonJS file with esbuild. Like `node.js`, it loads the
// WebAssembly module synchronously from the package directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './exp_rs.js';
import { connect } from './tier.js';

// `__dirname` is CommonJS's: the directory of node.cjs, in the package.
connect(initSync({ module: readFileSync(join(__dirname, 'exp_rs_bg.wasm')) }));

export * from './exp_rs.js';
export { compile } from './tier.js';
export { ExpRsError } from '@ERROR_JS@';

/** Already done on require; resolves at once. */
export default function init() {
  return Promise.resolve();
}
