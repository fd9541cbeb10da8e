// Browser and bundler entry (the `default` export condition): call the
// default export once before anything else (`await init()`); it fetches
// `exp_rs_bg.wasm` next to this file, or takes a URL, Response or bytes.
export * from './exp_rs.js';
export { default } from './exp_rs.js';
export { ExpRsError } from '@ERROR_JS@';
