// Browser and bundler entry (the `default` export condition). The
// WebAssembly module travels inside the JavaScript (`exp_rs_inline.js`,
// gzipped, base64), so no bundler has to find, copy or serve a `.wasm` file: esbuild,
// webpack, Rollup, Vite (dev and build) and a plain `<script type="module">`
// all work with no configuration. Call the default export once before
// anything else (`await init()`); later calls return the same promise.
import initWasm from './exp_rs.js';
import { wasmBytes } from './exp_rs_inline.js';

export * from './exp_rs.js';
export { ExpRsError } from '@ERROR_JS@';

let ready;

/**
 * Instantiates the module: from the bytes inlined in the package, or from
 * `input` (a URL, `Response`, bytes or `WebAssembly.Module`) when given.
 */
export default function init(input) {
  if (input !== undefined) {
    return initWasm(input).then(() => undefined);
  }
  ready ??= wasmBytes()
    .then((bytes) => initWasm({ module_or_path: bytes }))
    .then(() => undefined);
  return ready;
}
