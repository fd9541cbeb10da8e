// Browser and bundler entry (the `default` export condition): call the
// default export once before anything else (`await init()`); it fetches
// `exp_rs_bg.wasm` next to this file, or takes a URL, Response or bytes.
import rawInit, { initSync as rawInitSync } from './exp_rs.js';
import { connect } from './tier.js';

export * from './exp_rs.js';
export { compile } from './tier.js';
export { ExpRsError } from '@ERROR_JS@';

/** Instantiates the module (once); see wasm-bindgen's `init`. */
export default async function init(input) {
  const exports = await rawInit(input);
  connect(exports);
  return exports;
}

/** Instantiates the module synchronously from its bytes or a `WebAssembly.Module`. */
export function initSync(module) {
  const exports = rawInitSync(module);
  connect(exports);
  return exports;
}
