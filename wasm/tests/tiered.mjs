// The package as the tests import it: `exp-rs` itself, except that
// `compile` and `Context.prototype.compile` default to the tier named by
// EXP_RS_TEST_TIER ('codegen' or 'interpreter'; unset: the package's own
// 'auto'). `cargo xtask test --only node` runs every test file once per
// tier, so every JS test covers both (an explicit `options` still wins).
import * as pkg from 'exp-rs';

export * from 'exp-rs';
export { default } from 'exp-rs';

/** The tier these tests run on by default. */
export const TIER = process.env.EXP_RS_TEST_TIER || 'auto';

const defaults = { tier: TIER };

/** `compile`, on this run's tier unless `options` says otherwise. */
export function compile(src, params, options) {
  return pkg.compile(src, params, options ?? defaults);
}

/** `Context`, compiling on this run's tier unless `options` says otherwise. */
export class Context extends pkg.Context {
  compile(src, params, options) {
    return super.compile(src, params, options ?? defaults);
  }
}
