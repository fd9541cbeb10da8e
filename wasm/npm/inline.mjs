// Writes `exp_rs_inline.js` for the browser entry (run by xtask while it
// assembles the package; not shipped): the WebAssembly module gzipped and
// base64-encoded into the JavaScript, so no bundler has to copy a `.wasm`
// asset. Gzipped first, the inlined module costs about what the `.wasm`
// costs over a compressed connection (base64 of raw wasm compresses badly).
//
//   node inline.mjs exp_rs_bg.wasm exp_rs_inline.js
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [from, to] = process.argv.slice(2);
const base64 = gzipSync(readFileSync(from), { level: 9 }).toString('base64');
writeFileSync(
  to,
  `// The WebAssembly module, gzipped and base64-encoded by xtask (wasm/npm/inline.mjs).

const GZIP_BASE64 = '${base64}';

/** The module's bytes, unzipped with the browser's DecompressionStream. */
export async function wasmBytes() {
  const gzipped = Uint8Array.from(atob(GZIP_BASE64), (c) => c.charCodeAt(0));
  const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
`,
);
