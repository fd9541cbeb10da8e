// The conformance table core/tests/conformance.txt (its header is the
// format), every row through the JS API: the fixture is built with the JS
// Context (expression functions, native JS functions, arrays, objects),
// scalars are parameters of `Context.compile`, values come from `eval`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, rows } from './table.mjs';

// Both tiers (tiers.test.mjs also checks that they agree bit for bit).
for (const tier of ['codegen', 'interpreter']) {
  test(`conformance table through the JS API (f64, ${tier} tier)`, () => {
    const all = rows();
    assert.ok(all.length >= 300, `the table has ${all.length} rows`);
    const failures = all.map((row) => check(row, { tier })).filter((f) => f !== null);
    assert.equal(failures.length, 0, `${failures.length} of ${all.length} rows failed:\n${failures.join('\n')}`);
  });
}
