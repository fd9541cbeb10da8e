// The tier panel of the cost card: which tier evaluates the expression
// (code generation: a WebAssembly module generated for it; or the
// interpreter), a toggle between them, the generated module's size, its
// listing when the package offers one, and the time per evaluation in each
// tier. A package built without the `tier` option of `compile` (its
// `stats()` has no `tier`) has one tier, the interpreter: the panel says so
// and disables the toggle.

/** The choices of the toggle, in order. */
export const TIERS = ['auto', 'codegen', 'interpreter'];

/** How the panel names the tier that runs. */
export const TIER_NAMES = { codegen: 'code generation', interpreter: 'interpreter' };

const $ = (id) => document.getElementById(id);

/** True when this build's `compile` takes `{ tier }` (probed on `ctx`). */
export function probeTiers(ctx) {
  const e = ctx.compile('1');
  try {
    return e.stats().tier !== undefined;
  } finally {
    e.free();
  }
}

/**
 * Compiles `src` in `ctx` for `tier`: `'auto'` passes no option, which is
 * also what a build without tiers understands.
 */
export function compileFor(ctx, src, tier) {
  return tier === 'auto' ? ctx.compile(src) : ctx.compile(src, null, { tier });
}

/** The tier `expr` runs on: `stats().tier`, or the interpreter of an old build. */
export const runningTier = (expr) => expr.stats().tier ?? 'interpreter';

/** Marks `tier` as chosen; disables the toggle when `available` is false. */
export function renderToggle(tier, available) {
  const box = $('tier-toggle');
  box.dataset.available = String(available);
  for (const b of box.querySelectorAll('button')) {
    b.setAttribute('aria-checked', String(b.dataset.tier === (available ? tier : 'auto')));
    b.disabled = !available;
  }
}

/** Calls `onPick(tier)` when a toggle button is chosen. */
export function onToggle(onPick) {
  $('tier-toggle').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-tier]');
    if (b && !b.disabled) onPick(b.dataset.tier);
  });
}

/** The readout for compiled `expr`, asked for with `tier`. */
export function renderTier(expr, tier, available) {
  const running = runningTier(expr);
  const size = expr.stats().moduleSize;
  $('s-tier').textContent = TIER_NAMES[running] ?? running;
  $('s-tier').dataset.value = running;
  const hasModule = running === 'codegen' && Number.isFinite(size);
  $('s-module').textContent = hasModule ? `${size.toLocaleString('en-US')} B` : '—';
  $('s-module').dataset.value = hasModule ? String(size) : '';
  let note;
  if (!available) {
    note = 'This build of the package has one tier: the interpreter.';
  } else if (running === 'codegen') {
    note = `${tier === 'auto' ? 'auto chose code generation' : 'Code generation'}: a ${size}-byte WebAssembly module made for this expression, calling the main module's math.`;
  } else if (tier === 'interpreter') {
    note = 'The interpreter runs the compiled program (see "Compiled program").';
  } else {
    note = 'Code generation is not available here or for this expression: the interpreter runs.';
  }
  $('tier-note').textContent = note;
  renderListing(expr, running);
}

/** The generated module's listing, when the package offers `wat()`. */
function renderListing(expr, running) {
  const box = $('wat-box');
  let text = null;
  if (running === 'codegen' && typeof expr.wat === 'function') {
    try {
      const listing = expr.wat();
      text = typeof listing === 'string' && listing !== '' ? listing : null;
    } catch {
      text = null;
    }
  }
  box.hidden = text === null;
  $('wat').textContent = text ?? '';
  $('wat-size').textContent = text === null ? '' : `${expr.stats().moduleSize} bytes`;
}

/** Clears the readout (the expression does not compile). */
export function clearTier() {
  for (const id of ['s-tier', 's-module', 's-tiers']) {
    $(id).textContent = '—';
    $(id).dataset.value = '';
  }
  $('tier-note').textContent = '';
  $('wat-box').hidden = true;
}

/**
 * Time per evaluation in each tier, ns: `running` measured on the page's
 * expression (`ns`); the other tier on a copy compiled for it, when the
 * build has tiers and the copy really runs there.
 */
export function timeTiers(ctx, src, running, ns, available, timeNs) {
  const times = { [running]: ns };
  if (!available) return times;
  const other = running === 'codegen' ? 'interpreter' : 'codegen';
  let copy = null;
  try {
    copy = compileFor(ctx, src, other);
    if (runningTier(copy) === other) times[other] = timeNs(copy);
  } catch {
    // The other tier fails on this input (a limit): no figure for it.
  } finally {
    copy?.free();
  }
  return times;
}

/** Shows `times` (from timeTiers), the running tier marked. */
export function renderTimes(times, running) {
  const dd = $('s-tiers');
  dd.replaceChildren();
  const fmt = (ns) => `${ns < 10 ? ns.toFixed(1) : Math.round(ns)} ns`;
  for (const tier of ['codegen', 'interpreter']) {
    dd.dataset[tier] = times[tier] === undefined ? '' : String(times[tier]);
    if (times[tier] === undefined) continue;
    if (dd.childNodes.length) dd.append(' · ');
    const span = document.createElement('span');
    span.className = `tier-time${tier === running ? ' running' : ''}`;
    span.dataset.tier = tier;
    span.textContent = `${TIER_NAMES[tier]} ${fmt(times[tier])}`;
    dd.append(span);
  }
  dd.dataset.value = running;
}
