// The browser/bundler entry (`default` export condition): the same module,
// initialised by its default export. Node's own entry is tested everywhere
// else; here, web.js is loaded by path, initialised from the bytes it
// carries (as in a browser) or with the .wasm bytes given directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const pkg = new URL('./node_modules/exp-rs/', import.meta.url);

test('package.json maps node and default conditions, and types', () => {
  const json = JSON.parse(readFileSync(new URL('package.json', pkg), 'utf8'));
  assert.equal(json.name, 'exp-rs');
  assert.equal(json.type, 'module');
  assert.equal(json.exports['.'].node.import.default, './node.js');
  assert.equal(json.exports['.'].node.require.default, './node.cjs');
  assert.equal(json.exports['.'].default, './web.js');
  assert.equal(json.exports['.'].types, './exp_rs.d.ts');
  for (const file of ['exp_rs.d.ts', 'exp_rs.js', 'exp_rs_bg.wasm', 'web.js', 'node.js', 'README.md', 'LICENSE']) {
    assert.ok(readFileSync(new URL(file, pkg)).length > 0, file);
  }
  assert.match(import.meta.resolve('exp-rs'), /\/node\.js$/);
  const dts = readFileSync(new URL('exp_rs.d.ts', pkg), 'utf8');
  for (const decl of ['export class ExpRsError extends Error', 'export type AstNode', 'export interface Stats', 'export function compile(', 'export function evaluate(', 'export class Context', 'export class Expression', 'export default function init(']) {
    assert.ok(dts.includes(decl), decl);
  }
});

test('web.js: init() from the inlined module', async () => {
  const web = await import(new URL('web.js?inline', pkg));
  const first = web.default();
  assert.equal(web.default(), first, 'one load, one promise');
  assert.equal(await first, undefined);
  assert.equal(web.evaluate('2 * x', { x: 21 }), 42);
});

test('web.js: init with the wasm bytes, then the whole API', async () => {
  const web = await import(new URL('web.js', pkg));
  await web.default({ module_or_path: readFileSync(new URL('exp_rs_bg.wasm', pkg)) });
  assert.equal(web.evaluate('2 * x', { x: 21 }), 42);
  const f = web.compile('x + y');
  assert.deepEqual(f.evalBatch([new Float64Array([1, 2]), new Float64Array([10, 20])]), new Float64Array([11, 22]));
  assert.throws(() => web.evaluate('1 +'), (e) => e instanceof web.ExpRsError && e.kind === 'ExpectedOperand');
  f.free();
});
