// The conformance table core/tests/conformance.txt (its header is the
// format): its rows and the fixture they run against, shared by
// conformance.test.mjs and tiers.test.mjs.
import { readFileSync } from 'node:fs';

import { Context, ExpRsError } from 'exp-rs';

const TABLE = new URL('../../core/tests/conformance.txt', import.meta.url);

export function number(s) {
  const t = s.trim();
  if (t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(t);
  if (t === '' || Number.isNaN(v)) throw new Error(`bad number \`${t}\` in the table`);
  return v;
}

export function unescape(s) {
  return s.replace(/\\(.)/g, (_, c) => {
    const map = { t: '\t', n: '\n', r: '\r', '\\': '\\' };
    if (!(c in map)) throw new Error(`bad escape \\${c}`);
    return map[c];
  });
}

export function bindings(s) {
  s = s.trim();
  if (s === '-') return [];
  const items = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '[') depth++;
    else if (s[i] === ']') depth--;
    else if (s[i] === ',' && depth === 0) {
      items.push(s.slice(start, i));
      start = i + 1;
    }
  }
  items.push(s.slice(start));
  return items.map((item) => {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (value.startsWith('[')) {
      const list = value.slice(1, -1);
      const values = list.split(',').filter((v) => v.trim() !== '').map(number);
      return { type: 'array', name, values };
    }
    if (name.includes('.')) {
      const [obj, field] = name.split('.');
      return { type: 'field', name: obj, field, value: number(value) };
    }
    return { type: 'scalar', name, value: number(value) };
  });
}

export function expected(s) {
  s = s.trim();
  if (s.startsWith('!')) {
    const [kind, span] = s.slice(1).split('@');
    return { kind, span: span === undefined ? null : span.split('..').map(Number) };
  }
  return { value: number(s.split(/\s+/)[0]) };
}

export function rows() {
  const lines = readFileSync(TABLE, 'utf8').split('\n');
  const out = [];
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const a = line.indexOf(' ;; ');
    const b = line.indexOf(' ;; ', a + 4);
    if (a < 0 || b < 0) throw new Error(`line ${i + 1}: not a row`);
    out.push({
      line: i + 1,
      expected: expected(line.slice(0, a)),
      bindings: bindings(line.slice(a + 4, b)),
      source: unescape(line.slice(b + 4).trim()),
    });
  });
  return out;
}

/** The table's FIXTURE, plus a row's arrays and objects. */
export function fixture(binds) {
  const ctx = new Context();
  for (const def of [
    'hyp(a, b) = sqrt(a^2 + b^2)',
    'sq(x) = x * x',
    'fact(n) = n <= 1 ? 1 : n * fact(n - 1)',
    'fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)',
    'forever(n) = forever(n + 1)',
    'outer(x) = sq(x) + 1',
    'shadow_idx(a) = a[0]',
    'shadow_fld(p) = p.x',
    'shadow_val(pi) = pi * 2',
    'shadow_call(sq) = sq(sq)',
  ]) {
    ctx.addExpressionFunction(def);
  }
  ctx.addFunction('add3', (a, b, c) => a + b + c);
  ctx.addVariadicFunction('sum', (...args) => args.reduce((s, x) => s + x, 0), 1);
  ctx.addFunction('fail', (_x) => {
    throw new Error('fail() always fails');
  });
  const objects = new Map();
  for (const b of binds) {
    if (b.type === 'array') ctx.addArray(b.name, b.values);
    if (b.type === 'field') {
      if (!objects.has(b.name)) objects.set(b.name, {});
      objects.get(b.name)[b.field] = b.value;
    }
  }
  for (const [name, fields] of objects) ctx.addObject(name, fields);
  return ctx;
}

/** A byte offset into `src` (UTF-8) as a JS string index. */
export function jsIndex(src, byte) {
  const bytes = Buffer.from(src, 'utf8');
  if (byte > bytes.length) return src.length + (byte - bytes.length); // stays wrong
  return bytes.subarray(0, byte).toString('utf8').length;
}

export function valueMatches(got, exp) {
  if (Number.isNaN(exp)) return Number.isNaN(got);
  if (!Number.isFinite(exp) || !Number.isFinite(got)) return got === exp;
  return Math.abs(got - exp) <= 1e-12 * Math.max(1, Math.abs(exp));
}

/** Compiles and evaluates one row; a description of the failure, or null. */
export function check(row, options) {
  const ctx = fixture(row.bindings);
  const scalars = row.bindings.filter((b) => b.type === 'scalar');
  let got;
  try {
    const expr = ctx.compile(
      row.source,
      scalars.map((b) => b.name),
      options,
    );
    try {
      got = { value: expr.eval(scalars.map((b) => b.value)) };
    } finally {
      expr.free();
    }
  } catch (e) {
    if (!(e instanceof ExpRsError)) throw e;
    got = { kind: e.kind, span: [e.start, e.end] };
  } finally {
    ctx.free();
  }
  const exp = row.expected;
  let ok;
  if ('value' in exp) {
    ok = 'value' in got && valueMatches(got.value, exp.value);
  } else {
    const span = exp.span && exp.span.map((b) => jsIndex(row.source, b));
    ok = got.kind === exp.kind && (span === null || (got.span[0] === span[0] && got.span[1] === span[1]));
  }
  if (ok) return null;
  return `line ${row.line} \`${row.source}\`: expected ${JSON.stringify(exp)}, got ${JSON.stringify(got)}`;
}

