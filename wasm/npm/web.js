// Browser and bundler entry (the `default` export condition). The
// WebAssembly module travels inside the JavaScript (`exp_rs_inline.js`,
// gzipped, base64), so no bundler has to find, copy or serve a `.wasm` file: esbuild,
// webpack, Rollup, Vite (dev and build) and a plain `<script type="module">`
// all work with no configuration. Call the default export once before
// anything else (`await init()`); later calls return the same promise.
import initWasm, { initSync as initWasmSync } from './exp_rs.js';
import { wasmBytes } from './exp_rs_inline.js';
import { connect } from './tier.js';

export * from './exp_rs.js';
export { compile } from './tier.js';
export { ExpRsError } from '@ERROR_JS@';

let ready;

/**
 * Instantiates the module: from the bytes inlined in the package, or from
 * `input` (a URL, `Response`, bytes or `WebAssembly.Module`) when given.
 */
export default function init(input) {
  if (input !== undefined) {
    return initWasm(input).then(connect);
  }
  // `connect` hands the module's exports to the tier layer (tier.js).
  ready ??= wasmBytes()
    .then((bytes) => initWasm({ module_or_path: bytes }))
    .then(connect);
  return ready;
}

/** Instantiates the module synchronously from bytes or a `WebAssembly.Module`. */
export function initSync(module) {
  const exports = initWasmSync(module);
  connect(exports);
  return exports;
}
