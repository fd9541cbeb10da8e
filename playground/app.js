// The playground: compiles the expression on every keystroke and shows the
// result, the tree, the program, what one evaluation costs, and a plot.
// Everything runs in this page; nothing is fetched after the module.

import init, { Context } from './pkg/web.js';
import { DEFAULT, EXAMPLES } from './examples.js';
import { decode, defaultRange, encode, fromExample } from './state.js';
import { countNodes, foldedNodes, renderTree } from './ast.js';
import { Plot } from './plot.js';
import { clearTier, compileFor, onToggle, probeTiers, renderTier, renderTimes, renderToggle, runningTier, timeTiers } from './tier.js';

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** Points in the plot (one `evalBatch` call). */
const PLOT_POINTS = 601;
/** Evaluations whose allocations are counted (each one read via stats()). */
const ALLOC_RUNS = 1000;
/** Minimum time a timing loop runs, in ms. */
const TIMING_MS = 25;
/**
 * Time a plot evaluated point by point may take, in ms (points not reached
 * are gaps). That happens when the batch fails at some point, or when one
 * evaluation is so slow that 601 would freeze the tab.
 */
const PLOT_MS = 300;
/**
 * A single evaluation slower than this (ms) is plotted point by point: a
 * batch of 601 would take over a second. (Not PLOT_MS / 601: a first
 * evaluation can take that long just warming up.)
 */
const SLOW_EVAL_MS = 2;
/**
 * The limits of the playground's context. It evaluates on the page's only
 * thread, so it allows fewer calls and instructions per evaluation and
 * shorter sources than the library's defaults (1,000,000, 10,000,000 and
 * 65,536): `maxSteps` stops a runaway evaluation with `StepLimit` after a
 * few milliseconds, however large the function bodies it calls.
 */
const LIMITS = { maxTotalCalls: 10_000, maxSteps: 2_000_000, maxLen: 4096 };

/** @type {import('./state.js').State} */
let state = fromExample(DEFAULT);
/** @type {Context | null} */
let ctx = null;
/** @type {import('./pkg/exp_rs.js').Expression | null} */
let expr = null;
let params = [];
let values = new Float64Array(0);
let plot;
/** The derivative along the plotted variable (when f′ is on), or null. */
let deriv = null;
let measureTimer = 0;
let hashTimer = 0;
let highlight = null; // span hovered in the tree or the program
let errorSpan = null; // span of the current error
/** Whether this build of the package has the `tier` option (probed at start). */
let tiersAvailable = false;

// ---------------------------------------------------------------- helpers

/** The message of an ExpRsError without its first (source) line and caret. */
function messageText(e) {
  const lines = String(e.message).split('\n');
  const last = lines[lines.length - 1];
  const m = /^\s*[\^~]+\s?(.*)$/.exec(last);
  return m ? m[1] : String(e.message);
}

/** Source line, a caret under [start, end) and the message, as DOM. */
function caretBlock(src, e) {
  const start = Math.max(0, Math.min(e.start ?? 0, src.length));
  const end = Math.max(start, Math.min(e.end ?? start, src.length));
  const lineStart = start === 0 ? 0 : src.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = src.indexOf('\n', start);
  if (lineEnd < 0) lineEnd = src.length;
  let line = src.slice(lineStart, lineEnd);
  let col = start - lineStart;
  const width = Math.max(1, Math.min(end, lineEnd) - start);
  // A long line is cut to a window around the span.
  const WINDOW = 60;
  if (line.length > 2 * WINDOW + width) {
    const from = Math.max(0, col - WINDOW);
    const to = Math.min(line.length, col + width + WINDOW);
    const head = from > 0 ? '…' : '';
    line = head + line.slice(from, to) + (to < line.length ? '…' : '');
    col = col - from + head.length;
  }
  const pre = el('pre', 'caret');
  pre.append(
    el('span', 'caret-src', line), '\n',
    // Tabs stay tabs so the caret lines up under them.
    el('span', 'caret-mark', line.slice(0, col).replace(/[^\t]/g, ' ') + '^' + '~'.repeat(width - 1)),
    el('span', 'caret-msg', ' ' + messageText(e)),
  );
  const head = el('div', 'error-head');
  head.append(el('span', 'error-kind', e.kind ?? e.name ?? 'Error'));
  if (e.code !== undefined) head.append(el('span', 'error-code', `code ${e.code}`));
  head.append(el('span', 'error-where', `at ${start}‥${end}`));
  const box = el('div', 'error');
  box.append(head, pre);
  return box;
}

function escapeHtml(s) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

// --------------------------------------------------------------- the editor

/** Redraws the editor's backdrop: the hovered span and the error span. */
function paintBackdrop() {
  const src = $('src').value;
  const marks = [];
  if (errorSpan) marks.push({ ...errorSpan, cls: 'err' });
  if (highlight) marks.push({ start: highlight[0], end: highlight[1], cls: 'hl' });
  let html = '';
  if (marks.length === 0) {
    html = escapeHtml(src);
  } else {
    // Error and highlight never need to nest visibly: draw the highlight
    // when present, the error otherwise.
    const m = highlight ? marks[marks.length - 1] : marks[0];
    const a = Math.min(m.start, src.length);
    const b = Math.min(Math.max(m.end, a), src.length);
    const inner = b > a ? escapeHtml(src.slice(a, b)) : '<span class="gap"> </span>';
    html = `${escapeHtml(src.slice(0, a))}<mark class="${m.cls}">${inner}</mark>${escapeHtml(src.slice(b))}`;
  }
  // A trailing newline needs a character after it to take up a line.
  $('backdrop').innerHTML = html + '\n ';
  $('src').dataset.highlight = highlight ? `${highlight[0]}-${highlight[1]}` : '';
}

function autosize(ta = $('src')) {
  ta.style.height = 'auto';
  ta.style.height = `${ta.scrollHeight + 2}px`;
}

// ----------------------------------------------------------- the context

/** Rebuilds the context from the definitions panel. */
function buildContext() {
  ctx?.free();
  ctx = new Context();
  ctx.setLimits(LIMITS);
  const box = $('fn-errors');
  box.replaceChildren();
  const lines = state.fns.split('\n');
  let defined = 0;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('//')) continue;
    try {
      if (/^[A-Za-z_][A-Za-z0-9_]*\s*\(/.test(line)) {
        ctx.addExpressionFunction(line);
      } else {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
        if (!m) throw Object.assign(new Error('expected `name(params) = body` or `name = value`'), { kind: 'Definition', start: 0, end: line.length });
        let value;
        try {
          value = ctx.evaluate(m[2]);
        } catch (e) {
          const off = line.indexOf('=') + 1;
          throw Object.assign(e, { start: e.start + off, end: e.end + off });
        }
        ctx.setConstant(m[1], value);
      }
      defined++;
    } catch (e) {
      const item = el('div', 'fn-error');
      item.append(el('div', 'fn-line', `line ${i + 1}`), caretBlock(line, e));
      box.append(item);
    }
  }
  $('fn-count').textContent = defined ? `${defined} defined` : '';
}

// ---------------------------------------------------------- compile, eval

/** Compiles the expression and refreshes everything that depends on it. */
function recompile() {
  const src = state.expr;
  expr?.free();
  expr = null;
  errorSpan = null;
  highlight = null;
  try {
    expr = compileFor(ctx, src, state.tier);
  } catch (e) {
    showCompileError(src, e);
    paintBackdrop();
    saveHash();
    return;
  }
  params = expr.params;
  for (const name of params) {
    if (!state.vars[name]) state.vars[name] = { value: 1, ...defaultRange(1) };
  }
  if (!params.includes(state.plot.v)) {
    state.plot.v = params[0] ?? '';
    const v = state.vars[state.plot.v];
    if (v) Object.assign(state.plot, { from: v.min, to: v.max });
  }
  values = new Float64Array(params.map((p) => state.vars[p].value));
  document.body.classList.remove('has-error');
  $('error').replaceChildren();
  renderVars();
  renderToggle(state.tier, tiersAvailable);
  renderTier(expr, state.tier, tiersAvailable);
  renderInspect(src);
  renderPlotControls();
  updateDerivative();
  evaluateNow();
  paintBackdrop();
  scheduleMeasure();
  saveHash();
}

function showCompileError(src, e) {
  document.body.classList.add('has-error');
  errorSpan = { start: e.start ?? 0, end: e.end ?? 0 };
  // Nothing compiled: no parameters to show or plot over.
  params = [];
  values = new Float64Array(0);
  $('error').replaceChildren(caretBlock(src, e));
  $('result').textContent = '—';
  $('result').dataset.value = '';
  $('result-note').textContent = '';
  for (const id of ['ast', 'program', 'folding', 'vars']) $(id).replaceChildren();
  $('vars').append(el('p', 'empty', 'Fix the expression to see its variables.'));
  $('ast-count').textContent = '';
  $('prog-count').textContent = '';
  for (const id of ['s-arena', 's-len', 's-stack', 's-nodes', 's-allocs', 's-bytes', 's-ns', 's-batch']) $(id).textContent = '—';
  $('stats').dataset.source = '';
  renderToggle(state.tier, tiersAvailable);
  clearTier();
  plot.set(null);
  $('plot-note').textContent = 'No plot: the expression does not compile.';
  renderPlotControls();
  updateDerivative();
}

/**
 * f′ along the plotted variable, compiled by `Expression.derivative`:
 * its canonical source and program are shown under the plot, and
 * `drawPlot` draws it next to f.
 */
function updateDerivative() {
  deriv?.free();
  deriv = null;
  $('plot-deriv').checked = state.deriv;
  const box = $('deriv');
  box.hidden = !(state.deriv && expr && state.plot.v);
  if (box.hidden) return;
  const v = state.plot.v;
  try {
    deriv = expr.derivative(v);
    $('deriv-src').textContent = deriv.toString();
    $('deriv-src').classList.remove('bad');
    $('deriv-program').textContent = deriv.program();
    box.querySelector('.deriv-label').textContent = `∂/∂${v} =`;
  } catch (e) {
    $('deriv-src').textContent = `${e.kind ?? 'error'}: ${messageText(e)}`;
    $('deriv-src').classList.add('bad');
    $('deriv-program').textContent = '';
  }
}

/** Evaluates f′ over the plot's columns (gaps where a point fails). */
function derivativeYs(b) {
  if (!deriv) return null;
  if (!plotBuf.out2) plotBuf.out2 = new Float64Array(PLOT_POINTS);
  const out = plotBuf.out2;
  try {
    deriv.evalBatch(b.columns, out);
  } catch {
    const point = new Float64Array(params.length);
    for (let r = 0; r < out.length; r++) {
      for (let j = 0; j < params.length; j++) point[j] = b.columns[j][r];
      try {
        out[r] = deriv.eval(point);
      } catch {
        out[r] = NaN;
      }
    }
  }
  return out;
}

/** Evaluates at the current values; updates the result and the plot. */
function evaluateNow() {
  if (!expr) return;
  const out = $('result');
  const t0 = performance.now();
  try {
    const v = expr.eval(values);
    out.textContent = String(v);
    out.dataset.value = String(v);
    out.classList.remove('bad');
    $('result-note').textContent = params.length
      ? params.map((p, i) => `${p} = ${values[i]}`).join(', ')
      : 'no variables: a constant';
  } catch (e) {
    out.textContent = e.kind ?? 'error';
    out.dataset.value = '';
    out.classList.add('bad');
    $('result-note').textContent = messageText(e);
  }
  lastEvalMs = performance.now() - t0;
  drawPlot();
}

// ------------------------------------------------------------- variables

function renderVars() {
  const box = $('vars');
  box.replaceChildren();
  if (params.length === 0) {
    box.append(el('p', 'empty', 'No variables: every name is a constant or a function.'));
    return;
  }
  for (const [i, name] of params.entries()) {
    const v = state.vars[name];
    const row = el('div', 'var');
    row.dataset.name = name;
    const label = el('label', 'var-name', name);
    const numIn = el('input', 'var-num');
    numIn.type = 'number';
    numIn.step = 'any';
    numIn.value = String(v.value);
    numIn.id = `var-${i}`;
    numIn.setAttribute('aria-label', `${name} value`);
    label.htmlFor = numIn.id;
    const slider = el('input', 'var-slider');
    slider.type = 'range';
    slider.setAttribute('aria-label', `${name} slider`);
    const range = el('div', 'var-range');
    const syncSlider = () => {
      slider.min = String(v.min);
      slider.max = String(v.max);
      slider.step = String((v.max - v.min) / 1000);
      slider.value = String(v.value);
      range.replaceChildren(el('span', '', String(v.min)), el('span', '', String(v.max)));
    };
    syncSlider();
    const set = (x) => {
      v.value = x;
      values[i] = x;
      evaluateNow();
      scheduleMeasure();
      saveHash();
    };
    numIn.addEventListener('input', () => {
      const x = numIn.valueAsNumber;
      if (!Number.isFinite(x)) return;
      if (x < v.min) v.min = Math.floor(x);
      if (x > v.max) v.max = Math.ceil(x);
      syncSlider();
      set(x);
    });
    slider.addEventListener('input', () => {
      // Round to the slider's resolution so the number reads cleanly.
      const step = (v.max - v.min) / 1000;
      const digits = Math.max(0, -Math.floor(Math.log10(step)));
      const x = Number(slider.valueAsNumber.toFixed(Math.min(digits, 12)));
      numIn.value = String(x);
      set(x);
    });
    row.append(label, numIn, slider, range);
    box.append(row);
  }
}

// --------------------------------------------------- tree, program, costs

function renderInspect(src) {
  const tree = expr.ast();
  const view = expr.programView();
  const folded = foldedNodes(tree, view.folded);
  const vals = new Map();
  for (const node of folded) {
    try {
      vals.set(node, ctx.evaluate(src.slice(node.span[0], node.span[1])));
    } catch {
      // A subtree is not always an expression of its own (a sequence
      // element); leave it unlabelled.
    }
  }
  const nodes = countNodes(tree);
  $('ast-count').textContent = `${nodes} node${nodes === 1 ? '' : 's'}`;
  $('ast-count').dataset.count = String(nodes);
  renderTree($('ast'), tree, params, (span) => {
    hover(span);
    markInstructions(span);
  }, vals);

  const stats = expr.stats();
  const count = view.instructions.length;
  renderProgram(view, src);
  $('prog-count').textContent = `${count} instruction${count === 1 ? '' : 's'}`;
  const fold = $('folding');
  fold.replaceChildren();
  const summary = el('p', 'fold-summary');
  summary.append(
    el('strong', '', `${nodes} tree node${nodes === 1 ? '' : 's'}`), ' compile to ',
    el('strong', '', `${count} instruction${count === 1 ? '' : 's'}`),
    '. Names are resolved to slots, constants folded, operands fused into instructions.',
  );
  fold.append(summary);
  if (folded.length) {
    const ul = el('ul', 'fold-list');
    for (const node of folded) {
      const li = el('li');
      li.append(el('code', '', src.slice(node.span[0], node.span[1])), ' → ');
      li.append(el('code', 'v', vals.has(node) ? String(vals.get(node)) : 'a constant'));
      li.addEventListener('mouseenter', () => hover(node.span));
      li.addEventListener('mouseleave', () => hover(null));
      ul.append(li);
    }
    fold.append(ul);
  }
  $('s-arena').textContent = `${stats.arenaBytes.toLocaleString('en-US')} B`;
  $('s-arena').dataset.value = String(stats.arenaBytes);
  $('s-len').textContent = `${count} instr`;
  $('s-stack').textContent = String(view.stackSize);
  $('s-nodes').textContent = String(nodes);
}

/** Highlights `span` (or nothing) in the editor. */
function hover(span) {
  highlight = span;
  paintBackdrop();
}

/** An operand as the disassembly prints it. */
function operandText(o) {
  switch (o.kind) {
    case 'const':
    case 'target':
      return String(o.value);
    case 'arg':
      return `arg${o.index}`;
    case 'native':
    case 'function':
      return `${o.name}/${o.argc}`;
    case 'param':
    case 'builtin':
    case 'array':
      return o.name;
    default:
      return o.kind; // acc, pop
  }
}

/**
 * The program listing, drawn from `programView()`: numbered instructions,
 * function entries labelled, constants (what folding produced) coloured.
 * Hovering a main-code instruction highlights the source it came from.
 */
function renderProgram(view, src) {
  const pre = $('program');
  pre.replaceChildren();
  for (const ins of view.instructions) {
    for (const f of view.functions) {
      if (f.entry === ins.pc) pre.append(el('span', 'ins label', `${f.name}/${f.params.length}:`), '\n');
    }
    const row = el('span', 'ins');
    row.dataset.pc = String(ins.pc);
    row.append(el('span', 'pc', String(ins.pc).padStart(4)), '  ', el('span', 'op', ins.opcode));
    ins.operands.forEach((o, i) => {
      row.append(i === 0 ? ' '.repeat(Math.max(1, 8 - ins.opcode.length)) : ', ');
      row.append(o.kind === 'const' ? el('span', 'lit', operandText(o)) : operandText(o));
    });
    const text = ins.function === null ? src : view.functions[ins.function].source;
    row.title = text.slice(ins.start, ins.end);
    if (ins.function === null) {
      row.dataset.start = String(ins.start);
      row.dataset.end = String(ins.end);
      row.addEventListener('mouseenter', () => hover([ins.start, ins.end]));
      row.addEventListener('mouseleave', () => hover(null));
    }
    pre.append(row, '\n');
  }
  pre.append(el('span', 'ins comment',
    `; ${view.instructions.length} instructions, stack ${view.stackSize}, call depth ${view.callDepth}`));
}

/** Marks the main-code instructions lowered from inside `span` (or none). */
function markInstructions(span) {
  for (const row of $('program').querySelectorAll('.ins[data-start]')) {
    const inside = span && Number(row.dataset.start) >= span[0] && Number(row.dataset.end) <= span[1];
    row.classList.toggle('hot', Boolean(inside));
  }
}

function scheduleMeasure() {
  clearTimeout(measureTimer);
  $('stats').classList.add('stale');
  measureTimer = setTimeout(measure, 200);
}

/** Times `fn` over enough runs to take TIMING_MS; returns ms per run. */
function timePerRun(fn) {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const t = performance.now() - t0;
    if (t >= TIMING_MS || n >= 1 << 24) return t / n;
    n *= t < 1 ? 8 : 2;
  }
}

/**
 * What evaluating costs: ns per `eval` and per `evalBatch` point, and the
 * allocations counted by the module over ALLOC_RUNS evaluations (fewer
 * for a slow expression; each followed by a `stats()` read) and over one
 * batch.
 */
function measure() {
  if (!expr) return;
  const stats = $('stats');
  const e = expr;
  const vals = values;
  try {
    // A slow expression (deep recursion) gets fewer runs: ~100 ms in all.
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) e.eval(vals);
    const one = (performance.now() - t0) / 20;
    const runs = Math.max(10, Math.min(ALLOC_RUNS, Math.floor(100 / Math.max(one, 1e-3))));
    let allocs = 0;
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      e.eval(vals);
      const s = e.stats();
      allocs += s.allocationsLastEval;
      bytes += s.bytesAllocatedLastEval;
    }
    const batch = plotColumns();
    let batchNs = NaN;
    if (batch && lastPlotMs < 100) {
      try {
        e.evalBatch(batch.columns, batch.out);
        const s = e.stats();
        allocs += s.allocationsLastEval;
        bytes += s.bytesAllocatedLastEval;
        batchNs = (timePerRun(() => e.evalBatch(batch.columns, batch.out)) * 1e6) / batch.out.length;
      } catch {
        // Some point fails (the plot shows a gap there); no batch figure.
      }
    }
    const ns = timePerRun(() => e.eval(vals)) * 1e6;
    const running = runningTier(e);
    const times = timeTiers(ctx, e.source, running, ns, tiersAvailable, (copy) => timePerRun(() => copy.eval(vals)) * 1e6);
    renderTimes(times, running);
    const batched = Number.isFinite(batchNs) ? 1 : 0;
    const per = allocs / (runs + batched);
    $('s-allocs').textContent = String(per);
    $('s-allocs').dataset.value = String(per);
    $('s-allocs').classList.toggle('zero', per === 0);
    $('s-bytes').textContent = `${bytes} B over ${runs.toLocaleString('en-US')} evals${batched ? ' + 1 batch' : ''}`;
    $('s-ns').textContent = `${ns < 10 ? ns.toFixed(1) : Math.round(ns)} ns`;
    $('s-batch').textContent = Number.isFinite(batchNs) ? `${batchNs < 10 ? batchNs.toFixed(1) : Math.round(batchNs)} ns` : '—';
  } catch (err) {
    $('s-allocs').textContent = '—';
    $('s-allocs').dataset.value = '';
    $('s-allocs').classList.remove('zero');
    $('s-batch').textContent = '—';
    $('s-ns').textContent = '—';
    $('s-tiers').textContent = '—';
    $('s-bytes').textContent = `evaluation fails: ${err.kind ?? err.message}`;
  }
  stats.classList.remove('stale');
  stats.dataset.source = e.source;
}

// ------------------------------------------------------------------- plot

let plotBuf = null;
/** How long the last plot's evaluation took, in ms. */
let lastPlotMs = 0;
/** How long the last single evaluation took, in ms. */
let lastEvalMs = 0;

/** Columns for `evalBatch`: the plotted variable swept, the others fixed. */
function plotColumns() {
  const k = params.indexOf(state.plot.v);
  if (k < 0) return null;
  if (!plotBuf || plotBuf.cols.length !== params.length) {
    plotBuf = {
      xs: new Float64Array(PLOT_POINTS),
      cols: params.map(() => new Float64Array(PLOT_POINTS)),
      out: new Float64Array(PLOT_POINTS),
    };
  }
  const { from, to } = state.plot;
  for (let i = 0; i < PLOT_POINTS; i++) plotBuf.xs[i] = from + ((to - from) * i) / (PLOT_POINTS - 1);
  params.forEach((p, j) => {
    if (j === k) plotBuf.cols[j].set(plotBuf.xs);
    else plotBuf.cols[j].fill(values[j]);
  });
  return { xs: plotBuf.xs, columns: plotBuf.cols, out: plotBuf.out, k };
}

/**
 * True when one evaluation takes longer than SLOW_EVAL_MS, timed twice: one
 * reading can be a GC pause or a busy machine. (The step budget bounds
 * what the second costs.)
 */
function slowEval() {
  if (lastEvalMs <= SLOW_EVAL_MS) return false;
  const t0 = performance.now();
  try {
    expr.eval(values);
  } catch {
    // Timed all the same.
  }
  return performance.now() - t0 > SLOW_EVAL_MS;
}

function drawPlot() {
  const note = $('plot-note');
  const b = plotColumns();
  if (!b) {
    plot.set(null);
    note.textContent = 'No variables to plot over: the expression is a constant.';
    return;
  }
  let failed = '';
  const t0 = performance.now();
  let byPoint = slowEval();
  if (!byPoint) {
    try {
      expr.evalBatch(b.columns, b.out);
    } catch (e) {
      failed = `some points fail (${e.kind}), shown as gaps`;
      byPoint = true;
    }
  }
  if (byPoint) {
    // Point by point, leaving gaps where a point fails, for at most
    // PLOT_MS; points not reached are gaps too.
    const point = new Float64Array(params.length);
    const start = performance.now();
    for (let r = 0; r < b.out.length; r++) {
      if (performance.now() - start > PLOT_MS) {
        b.out.fill(NaN, r);
        failed = [failed, `stopped after ${PLOT_MS} ms at ${state.plot.v} = ${b.xs[r]}`].filter(Boolean).join('; ');
        break;
      }
      for (let j = 0; j < params.length; j++) point[j] = b.columns[j][r];
      try {
        b.out[r] = expr.eval(point);
      } catch (e) {
        b.out[r] = NaN;
        failed ||= `some points fail (${e.kind}), shown as gaps`;
      }
    }
  }
  lastPlotMs = performance.now() - t0;
  const y = Number($('result').dataset.value);
  plot.set({
    xs: b.xs,
    ys: b.out,
    ys2: derivativeYs(b),
    xName: state.plot.v,
    marker: { x: values[b.k], y: $('result').dataset.value === '' ? NaN : y },
  });
  const others = params.filter((p) => p !== state.plot.v).map((p) => `${p} = ${state.vars[p].value}`);
  note.textContent = [
    byPoint ? `${PLOT_POINTS} points, one eval each` : `${PLOT_POINTS} points in one evalBatch call`,
    others.length ? `with ${others.join(', ')}` : '',
    failed,
  ].filter(Boolean).join(' · ');
}

function renderPlotControls() {
  const sel = $('plot-var');
  sel.replaceChildren(...params.map((p) => {
    const o = el('option', '', p);
    o.value = p;
    return o;
  }));
  sel.value = state.plot.v;
  sel.disabled = params.length === 0;
  $('plot-from').value = String(state.plot.from);
  $('plot-to').value = String(state.plot.to);
}

function onPlotControls(e) {
  if (e.target.id === 'plot-var') {
    state.plot.v = e.target.value;
    const v = state.vars[state.plot.v];
    if (v) Object.assign(state.plot, { from: v.min, to: v.max });
    renderPlotControls();
    updateDerivative();
  } else if (e.target.id === 'plot-deriv') {
    state.deriv = e.target.checked;
    updateDerivative();
  } else {
    const from = $('plot-from').valueAsNumber;
    const to = $('plot-to').valueAsNumber;
    if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) {
      $('plot-range').classList.add('bad');
      return;
    }
    $('plot-range').classList.remove('bad');
    Object.assign(state.plot, { from, to });
  }
  drawPlot();
  scheduleMeasure();
  saveHash();
}

// ------------------------------------------------------------ URL, menu

/** The variables a link keeps. */
function hashNames() {
  // A broken expression keeps the values of the names it mentions.
  return expr ? params : Object.keys(state.vars).filter((n) =>
    new RegExp(`(^|[^\\w])${n.replace(/[^\w]/g, '\\$&')}($|[^\\w])`).test(state.expr));
}

function saveHash() {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    const hash = `#${encode(state, hashNames())}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }, 150);
}

/** Replaces the whole view with `next`. */
function load(next) {
  // An example keeps the tier chosen; a link brings its own.
  state = { ...next, tier: next.tier ?? state.tier ?? 'auto' };
  $('src').value = state.expr;
  $('fns').value = state.fns;
  autosize();
  autosize($('fns'));
  buildContext();
  recompile();
}

function buildExamples() {
  const sel = $('examples');
  const flat = [];
  sel.append(el('option', '', 'Examples…'));
  for (const g of EXAMPLES) {
    const og = el('optgroup');
    og.label = g.group;
    for (const ex of g.items) {
      const o = el('option', '', ex.title);
      o.value = String(flat.length);
      flat.push(ex);
      og.append(o);
    }
    sel.append(og);
  }
  sel.addEventListener('change', () => {
    const ex = flat[Number(sel.value)];
    sel.selectedIndex = 0;
    if (ex) {
      load(fromExample(ex));
      $('src').focus();
    }
  });
}

// ------------------------------------------------------------------ start

async function main() {
  // The served .wasm (compiled while it streams in), not the copy the
  // package inlines for bundlers.
  await init({ module_or_path: new URL('./pkg/exp_rs_bg.wasm', import.meta.url) });
  const probe = new Context();
  tiersAvailable = probeTiers(probe);
  probe.free();
  plot = new Plot($('plot'), $('plot-readout'));
  buildExamples();

  $('src').addEventListener('input', () => {
    state.expr = $('src').value;
    autosize();
    recompile();
  });
  $('src').addEventListener('scroll', () => {
    $('backdrop').scrollTop = $('src').scrollTop;
  });
  $('fns').addEventListener('input', () => {
    state.fns = $('fns').value;
    autosize($('fns'));
    buildContext();
    recompile();
  });
  for (const id of ['plot-var', 'plot-from', 'plot-to']) $(id).addEventListener('input', onPlotControls);
  $('plot-deriv').addEventListener('change', onPlotControls);
  onToggle((tier) => {
    state.tier = tier;
    recompile();
  });
  $('share').addEventListener('click', async () => {
    clearTimeout(hashTimer);
    history.replaceState(null, '', `#${encode(state, hashNames())}`);
    let msg = 'Link copied';
    try {
      await navigator.clipboard.writeText(location.href);
    } catch {
      msg = 'Link is in the address bar';
    }
    $('share').dataset.done = msg;
    $('share').classList.add('done');
    setTimeout(() => $('share').classList.remove('done'), 1600);
  });
  window.addEventListener('hashchange', () => {
    const next = decode(location.hash);
    if (next && encode(next, Object.keys(next.vars)) !== encode(state, Object.keys(next.vars))) load(next);
  });

  load(decode(location.hash) ?? fromExample(DEFAULT));
  document.body.classList.add('ready');
}

main().catch((e) => {
  document.body.classList.add('failed');
  $('boot-error').textContent = `The WebAssembly module did not load: ${e.message ?? e}`;
  throw e;
});
