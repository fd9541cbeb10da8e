// The same-bits sample (issue 16): the expressions of
// ffi-c/tests/thumb/bits_sample.h at the same points as the Cortex-M7 build
// and the host, through the npm package (wasm). `cargo xtask test` (the
// `node` job) passes the host's hashes in EXP_RS_HOST_BITS; each
// expression's FNV-1a hash of its result bits must equal the host's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { compile } from 'exp-rs';

const HEADER = new URL('../../ffi-c/tests/thumb/bits_sample.h', import.meta.url);

function sample() {
  const text = readFileSync(HEADER, 'utf8');
  const define = (name) => text.match(new RegExp(`#define ${name} (\\S+)`))[1];
  const samples = Number(define('BITS_SAMPLES'));
  const seed = BigInt(define('BITS_SEED').replace(/ull$/, ''));
  const body = text.split('bits_exprs[] = {')[1].split('};')[0];
  const exprs = body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l.replace(/,$/, '')));
  return { exprs, samples, seed };
}

const MASK = (1n << 64n) - 1n;

function points({ samples, seed }) {
  let s = seed;
  const next = () => {
    s ^= (s << 13n) & MASK;
    s ^= s >> 7n;
    s ^= (s << 17n) & MASK;
    return Number(s >> 11n) / 9007199254740992;
  };
  const out = [];
  for (let i = 0; i < samples; i++) out.push([next(), next()]);
  return out;
}

function fnv(values) {
  const view = new DataView(new ArrayBuffer(8));
  let h = 0xcbf29ce484222325n;
  for (const v of values) {
    view.setFloat64(0, v, true);
    for (let b = 0; b < 8; b++) {
      h ^= BigInt(view.getUint8(b));
      h = (h * 0x100000001b3n) & MASK;
    }
  }
  return h.toString(16).padStart(16, '0');
}

test('the same bits as the host on the math sample', (t) => {
  const host = process.env.EXP_RS_HOST_BITS;
  if (!host) {
    t.skip('EXP_RS_HOST_BITS not set (run through `cargo xtask test --only node`)');
    return;
  }
  const want = JSON.parse(host);
  const s = sample();
  assert.equal(want.length, s.exprs.length);
  const pts = points(s);
  const differ = [];
  s.exprs.forEach((src, i) => {
    const f = compile(src, ['u', 'v']);
    const got = fnv(pts.map((p) => f.eval(p)));
    if (got !== want[i]) differ.push(`\`${src}\`: wasm ${got}, host ${want[i]}`);
    f.free();
  });
  assert.deepEqual(differ, []);
});
