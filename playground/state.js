// The view's state and its URL-hash form, so a link reproduces the view:
//   #e=<expression>&f=<definitions>&v=name:value:min:max&…&p=name:from:to[&d=1][&t=tier]
// (URLSearchParams encoding; `v` repeats, one per variable; `t` only when
// the tier is not `auto`).

/**
 * @typedef {{ value: number, min: number, max: number }} Var
 * @typedef {{ expr: string, fns: string, vars: Record<string, Var>,
 *             plot: { v: string, from: number, to: number },
 *             deriv: boolean,
 *             tier?: 'auto' | 'codegen' | 'interpreter' }} State  (`deriv`: also plot f′)
 */

/** A state from an example's compact form (see examples.js). */
export function fromExample(ex) {
  const vars = {};
  for (const [name, [value, min, max]] of Object.entries(ex.vars ?? {})) {
    vars[name] = { value, min, max };
  }
  const [v, from, to] = ex.plot ?? ['', -10, 10];
  return { expr: ex.expr, fns: ex.fns ?? '', vars, plot: { v, from, to }, deriv: false };
}

/**
 * One hash value: percent-encoded as a query value, but with the
 * characters that are legal in a fragment and common in expressions left
 * readable (`x*(y/2)`); `+` stays encoded, a space becomes `+`.
 */
const enc = (s) => encodeURIComponent(s)
  .replace(/%20/g, '+')
  .replace(/%(28|29|2A|3A|2C|2F|21|3B|40)/gi, (m) => decodeURIComponent(m));

/** The hash (without `#`) for `state`; only variables in `params`. */
export function encode(state, params) {
  const parts = [`e=${enc(state.expr)}`];
  if (state.fns.trim()) parts.push(`f=${enc(state.fns)}`);
  for (const name of params) {
    const v = state.vars[name];
    if (v) parts.push(`v=${enc([name, v.value, v.min, v.max].join(':'))}`);
  }
  parts.push(`p=${enc([state.plot.v, state.plot.from, state.plot.to].join(':'))}`);
  if (state.deriv) parts.push('d=1');
  if (state.tier && state.tier !== 'auto') parts.push(`t=${state.tier}`);
  return parts.join('&');
}

const num = (s) => (s !== undefined && s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined);

/** The state a hash describes, or null when it has no expression. */
export function decode(hash) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  if (!q.has('e')) return null;
  const vars = {};
  for (const item of q.getAll('v')) {
    const [name, value, min, max] = item.split(':');
    const v = num(value);
    if (!name || v === undefined) continue;
    const lo = num(min) ?? Math.min(v, -10);
    const hi = num(max) ?? Math.max(v, 10);
    vars[name] = { value: v, min: Math.min(lo, v), max: Math.max(hi, v) };
  }
  const [pv = '', pf, pt] = (q.get('p') ?? '').split(':');
  let from = num(pf) ?? -10;
  let to = num(pt) ?? 10;
  if (!(from < to)) [from, to] = [-10, 10];
  const t = q.get('t');
  const tier = t === 'codegen' || t === 'interpreter' ? t : 'auto';
  return {
    expr: q.get('e') ?? '', fns: q.get('f') ?? '', vars, plot: { v: pv, from, to }, deriv: q.get('d') === '1', tier,
  };
}

/** A slider range for a new variable whose value is `value`. */
export function defaultRange(value) {
  if (Math.abs(value) <= 10) return { min: -10, max: 10 };
  return value > 0 ? { min: 0, max: 2 * value } : { min: 2 * value, max: 0 };
}
