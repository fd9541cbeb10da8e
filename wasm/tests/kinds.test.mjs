// The package's error kinds are core's: same numbers, names and messages,
// and the `.d.ts` union names exactly them. `cargo xtask test --only node`
// passes core's table (`exp_rs::ErrorKind::ALL`) as EXP_RS_CORE_ERROR_KINDS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { errorKindTable, errorKinds } from 'exp-rs';

const core = JSON.parse(
  process.env.EXP_RS_CORE_ERROR_KINDS ??
    assert.fail('EXP_RS_CORE_ERROR_KINDS is not set: run `cargo xtask test --only node`'),
);

test('errorKindTable() is core ErrorKind::ALL', () => {
  assert.ok(core.length > 0);
  assert.deepEqual(errorKindTable(), core);
  // Numbers are 1, 2, 3, … in order: code n is the n-th kind.
  assert.deepEqual(
    core.map((k) => k.code),
    core.map((_, i) => i + 1),
  );
});

test('errorKinds() is the names of errorKindTable()', () => {
  assert.deepEqual(errorKinds(), core.map((k) => k.name));
});

test('the .d.ts ErrorKind union names every kind', () => {
  const pkg = dirname(createRequire(import.meta.url).resolve('exp-rs/package.json'));
  const types = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).types;
  const dts = readFileSync(join(pkg, types ?? 'exp_rs.d.ts'), 'utf8');
  const union = dts.match(/export type ErrorKind =([^;]*);/);
  assert.ok(union, 'no `export type ErrorKind` in the .d.ts');
  const names = [...union[1].matchAll(/"([A-Za-z]+)"/g)].map((m) => m[1]);
  assert.deepEqual(names, core.map((k) => k.name));
});
