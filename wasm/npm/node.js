// Node entry (the `node` export condition): loads the WebAssembly module
// synchronously from the package directory, so `import { compile } from
// 'exp-rs'` is ready to use with no `await`. Calling the default export
// (`await init()`) is harmless, so code shared with browsers works as is.
import { readFileSync } from 'node:fs';
import { initSync } from './exp_rs.js';
import { connect } from './tier.js';

connect(initSync({ module: readFileSync(new URL('./exp_rs_bg.wasm', import.meta.url)) }));

export * from './exp_rs.js';
export { default } from './exp_rs.js';
export { compile } from './tier.js';
export { ExpRsError } from '@ERROR_JS@';
