// The tier layer: a thin JS layer over the wasm-bindgen classes that runs
// an expression on a generated WebAssembly module (the code-generation
// tier) when it can, and on the interpreter inside the main module
// otherwise.
//
// `compile` (and `Context.prototype.compile`) compile as before, then ask
// the Rust side for the module's bytes (`__codegen`), instantiate them
// synchronously (the modules are a few hundred bytes) with the main
// module's memory and math exports as imports, and give the expression an
// own `eval` that calls the generated export directly: plain JS to
// generated code, no wasm-bindgen glue and no copy. Everything else (the
// other methods, `evalBatch`, errors) stays on the Rust class, which runs
// `evalBatch` on the generated batch export itself. Any failure while
// generating or instantiating leaves the expression on the interpreter.
import * as raw from './exp_rs.js';
import { ExpRsError } from '@ERROR_JS@';

const { Expression, Context } = raw;

// Freed objects. `free()` and `[Symbol.dispose]()` may be called any number
// of times; any other method or getter of a freed object throws a
// TypeError that says so (wasm-bindgen's own is a bare "null pointer
// passed to rust"). Done before anything below captures a method, so the
// captured ones are guarded too.
for (const Class of [Expression, Context]) guardFreed(Class.name, Class.prototype);

function guardFreed(className, proto) {
  const rawFree = proto.free;
  const free = function free() {
    if (this.__wbg_ptr !== 0) rawFree.call(this);
  };
  const freed = (key) =>
    new TypeError(`${className}.${String(key)}: this ${className} was freed (free() was called)`);
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor' || key === 'free' || key === Symbol.dispose) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof d.value === 'function') {
      const f = d.value;
      // Fixed arity (no method takes more than four), so the guard adds no
      // rest-array allocation to the interpreter tier's `eval`.
      d.value = {
        [f.name](a, b, c, d4) {
          if (this.__wbg_ptr === 0) throw freed(key);
          return f.call(this, a, b, c, d4);
        },
      }[f.name];
    } else if (typeof d.get === 'function') {
      const get = d.get;
      d.get = function () {
        if (this.__wbg_ptr === 0) throw freed(key);
        return get.call(this);
      };
    } else {
      continue;
    }
    Object.defineProperty(proto, key, d);
  }
  proto.free = free;
  if (Symbol.dispose) proto[Symbol.dispose] = free;
}
const P = Expression.prototype;
const rawEval = P.eval;
const rawEvalBatch = P.evalBatch;
const rawStats = P.stats;
const rawCompile = raw.compile;
const rawContextCompile = Context.prototype.compile;

// Built-ins captured at load, as in the glue: user code cannot hook them.
const F64 = Float64Array;
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const isView = ArrayBuffer.isView;
const TA = Object.getPrototypeOf(F64.prototype);
const tagOf = uncurry(Object.getOwnPropertyDescriptor(TA, Symbol.toStringTag).get);
const lengthOf = uncurry(Object.getOwnPropertyDescriptor(TA, 'length').get);
const bufferOf = uncurry(Object.getOwnPropertyDescriptor(TA, 'buffer').get);
const offsetOf = uncurry(Object.getOwnPropertyDescriptor(TA, 'byteOffset').get);
const setFrom = uncurry(TA.set);
const isArray = Array.isArray;
const hasOwn = Object.hasOwn;
const defineProperty = Object.defineProperty;
const memoryBuffer = uncurry(
  Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer').get,
);

/**
 * A module whose one function uses `f64x2.splat`: the runtime validates it
 * when it has the SIMD the batch loop uses.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 16, 1, 14, 0, 68, 0, 0, 0, 0, 0, 0, 0, 0, 253, 20, 26, 11,
]);

/** The imports of every generated module; set by `connect`. */
let imports = null;
let memory = null;
let memoryView = new F64(0);
let reentrantCode = 0;
let callbackCode = 0;

/**
 * Called by the entry files once the main module is instantiated, with its
 * raw exports: the memory and the `exprs_math_*` functions generated
 * modules import.
 */
export function connect(exports) {
  if (imports !== null || exports === undefined || exports === null) return;
  const m = { mem: exports.memory };
  for (const name of Object.keys(exports)) {
    if (name.startsWith('exprs_math_')) m[name.slice(11)] = exports[name];
  }
  memory = exports.memory;
  // The batch loop runs straight arithmetic two rows at a time where the
  // runtime has 128-bit SIMD (a module it would refuse would otherwise
  // leave every expression on the interpreter).
  try {
    if (typeof raw.__useSimd === 'function' && WebAssembly.validate(SIMD_PROBE)) raw.__useSimd(true);
  } catch {
    // No SIMD: the scalar loop.
  }
  for (const row of raw.errorKindTable()) {
    if (row.name === 'Reentrant') reentrantCode = row.code;
    if (row.name === 'Callback') callbackCode = row.code;
  }
  imports = { m };
}

function memoryF64() {
  if (lengthOf(memoryView) === 0) memoryView = new F64(memoryBuffer(memory));
  return memoryView;
}

/** `options.tier`, checked: 'auto', 'codegen' or 'interpreter'. */
function tierOf(options) {
  if (options === undefined || options === null) return 'auto';
  if (typeof options !== 'object') throw new TypeError('compile: options must be an object');
  const tier = options.tier;
  if (tier === undefined) return 'auto';
  if (tier !== 'auto' && tier !== 'codegen' && tier !== 'interpreter') {
    throw new TypeError("compile: options.tier must be 'auto', 'codegen' or 'interpreter'");
  }
  return tier;
}

/** Compiles `src`; see the Rust `compile` (its doc is the API's). */
export function compile(src, params, options) {
  const tier = tierOf(options);
  return withTier(rawCompile(src, params), tier);
}

// A derivative is a new expression: on generated code too.
const rawDerivative = P.derivative;
if (typeof rawDerivative === 'function') {
  P.derivative = function derivative(name) {
    return withTier(rawDerivative.call(this, name), 'auto');
  };
}

Context.prototype.compile = function compile(src, params, options) {
  const tier = tierOf(options);
  return withTier(rawContextCompile.call(this, src, params), tier);
};

/**
 * Moves `expr` to the code-generation tier when `tier` allows it and a
 * module can be generated and instantiated here; returns `expr`.
 */
function withTier(expr, tier) {
  if (tier === 'interpreter' || imports === null) return expr;
  try {
    const bytes = expr.__codegen();
    const natives = expr.__natives();
    if (bytes === undefined || natives === undefined) return expr;
    // Looked up now, not at load: what a page's CSP refuses is the
    // compile itself.
    const module = new WebAssembly.Module(bytes);
    const state = {
      busy: false,
      generated: true,
      natives: natives.length > 0,
      cause: undefined,
      failed: false,
      freeLater: false,
    };
    let ex = null;
    let own = imports;
    if (state.natives) {
      const fail = (cause) => {
        state.failed = true;
        state.cause = cause;
        ex.e(callbackCode);
      };
      const n = {};
      for (const { module: from, name } of WebAssembly.Module.imports(module)) {
        if (from !== 'n') continue;
        const [id, argc] = name.split('_').map(Number);
        n[name] = wrapNative(natives[id], argc, fail);
      }
      own = { m: imports.m, n };
    }
    const instance = new WebAssembly.Instance(module, own);
    ex = instance.exports;
    const fast = pointEval(expr, ex, expr.params.length, state);
    if (!expr.__useModule(ex.b, ex.s, ex.p, bytes.length)) return expr;
    const method = (value) => ({ value, writable: true, configurable: true });
    defineProperty(expr, 'eval', method(fast));
    const batch = state.natives ? null : batchEval(expr, ex, expr.params.length, state);
    defineProperty(
      expr,
      'evalBatch',
      method(function evalBatch(columns, out) {
        if (state.busy) throw reentrant();
        if (batch !== null && this === expr) {
          const result = batch(columns, out);
          if (result !== null) return result;
        }
        state.generated = false;
        state.busy = state.natives;
        try {
          return rawEvalBatch.call(this, columns, out);
        } catch (e) {
          throw withCause(e, state);
        } finally {
          state.busy = false;
          freeIfAsked(expr, state);
        }
      }),
    );
    defineProperty(
      expr,
      'stats',
      method(function stats() {
        const s = rawStats.call(this);
        // An `eval` on generated code runs no Rust code at all, so it
        // cannot allocate in wasm memory.
        if (state.generated) {
          s.allocationsLastEval = 0;
          s.bytesAllocatedLastEval = 0;
        }
        return s;
      }),
    );
    if (state.natives) {
      // Freeing an expression from one of its own native functions: as on
      // the interpreter (where the Rust object is borrowed then), the call
      // throws and the expression is freed once the evaluation ends.
      defineProperty(
        expr,
        'free',
        method(function free() {
          if (state.busy) {
            state.freeLater = true;
            throw new Error('recursive use of an object detected which would lead to unsafe aliasing in rust');
          }
          return Expression.prototype.free.call(this);
        }),
      );
    }
  } catch {
    // CSP without 'wasm-unsafe-eval', a module the engine refuses, …:
    // the interpreter runs it.
  }
  return expr;
}

/**
 * A native JS function as generated code imports it: called as the
 * interpreter calls it (`this` undefined, the arguments spread); a throw,
 * or a result that is not a number, calls `fail(cause)` and returns NaN.
 */
function wrapNative(fn, argc, fail) {
  const done = (v) => {
    if (typeof v === 'number') return v;
    fail(new TypeError('a native function returned something that is not a number'));
    return NaN;
  };
  const guard = (call) => {
    let v;
    try {
      v = call();
    } catch (e) {
      fail(e);
      return NaN;
    }
    return done(v);
  };
  switch (argc) {
    case 0:
      return () => guard(() => fn());
    case 1:
      return (a) => guard(() => fn(a));
    case 2:
      return (a, b) => guard(() => fn(a, b));
    case 3:
      return (a, b, c) => guard(() => fn(a, b, c));
    default:
      return (...args) => guard(() => fn(...args));
  }
}

/** Frees `expr` if one of its natives asked while it was running. */
function freeIfAsked(expr, state) {
  if (state.freeLater) {
    state.freeLater = false;
    Expression.prototype.free.call(expr);
  }
}

/** `e` with the failing native's throw as `cause` (a `Callback` error). */
function withCause(e, state) {
  if (state.failed && e instanceof ExpRsError && e.kind === 'Callback' && state.cause !== undefined) {
    defineProperty(e, 'cause', { value: state.cause, writable: true, configurable: true });
  }
  state.failed = false;
  state.cause = undefined;
  return e;
}

/**
 * `evalBatch` of an expression on generated code without native functions
 * (so no user code runs once the columns are read): the chunk loop in JS,
 * one `TypedArray.set` per column and chunk into the expression's column
 * buffers, export `b` over them, one `set` of the results out. Returns
 * null for anything unusual (not an array of genuine Float64Arrays of one
 * length, no columns, a freed expression): the Rust `evalBatch` then
 * throws the error the interpreter tier throws.
 */
function batchEval(expr, ex, n, state) {
  const [columnsAt, resultsAt, chunk] = expr.__batchLayout;
  const handles = new Array(n).fill(null);
  // Each column's buffer and byte offset, read once per call.
  const buffers = new Array(n).fill(null);
  const offsets = new Array(n).fill(0);
  // The whole results buffer, viewed again once memory growth detached it.
  let resultsView = null;
  const b = ex.b;
  const isF64 = (v) => isView(v) && tagOf(v) === 'Float64Array';
  return (columns, out) => {
    if (n === 0 || expr.__wbg_ptr === 0) return null;
    let rows = -1;
    // Reading the columns may run user code (a Proxy, a getter): an
    // evaluation of this expression from there is refused.
    state.busy = true;
    try {
      if (!isArray(columns) || columns.length !== n) return null;
      for (let j = 0; j < n; j++) {
        const col = columns[j];
        if (!isF64(col)) return null;
        const len = lengthOf(col);
        if (rows !== -1 && len !== rows) return null;
        rows = len;
        handles[j] = col;
      }
    } finally {
      state.busy = false;
    }
    let result = out;
    if (out === undefined || out === null) {
      result = new F64(rows);
    } else if (!isF64(out) || lengthOf(out) !== rows) {
      handles.fill(null);
      return null;
    }
    state.generated = true;
    try {
      // No user code runs from here on: the buffers stay as they are.
      for (let j = 0; j < n; j++) {
        buffers[j] = bufferOf(handles[j]);
        offsets[j] = offsetOf(handles[j]);
      }
      const mem = memoryF64();
      if (resultsView === null || lengthOf(resultsView) === 0) {
        resultsView = new F64(memoryBuffer(memory), resultsAt, chunk);
      }
      const at = columnsAt / 8;
      for (let start = 0; start < rows; start += chunk) {
        const len = rows - start < chunk ? rows - start : chunk;
        // One `set` per column (a memcpy), none per value; a batch of one
        // chunk copies the columns themselves, without a view.
        for (let j = 0; j < n; j++) {
          const src = len === rows ? handles[j] : new F64(buffers[j], offsets[j] + start * 8, len);
          setFrom(mem, src, at + j * chunk);
        }
        const done = b(len);
        if (done < len) {
          const e = expr.__error(ex.s(), ex.p());
          e.row = start + done;
          throw e;
        }
        setFrom(result, len === chunk ? resultsView : new F64(memoryBuffer(memory), resultsAt, len), start);
      }
    } finally {
      handles.fill(null);
      buffers.fill(null);
    }
    return result;
  };
}

function reentrant() {
  return new ExpRsError(
    'Reentrant',
    reentrantCode,
    0,
    0,
    'expression evaluated again from inside its own evaluation',
  );
}

/**
 * The own `eval` of an expression on generated code: reads the values
 * (a typed array, an array of numbers, or an object with an own number for
 * each parameter) into locals and calls export `f`; with more than four
 * parameters it writes them into the expression's row buffer in wasm
 * memory and calls export `m`. Anything unusual (a wrong count, a value
 * that is not a number, a freed expression) goes to the Rust `eval`, which
 * throws the error the interpreter tier throws.
 */
function pointEval(expr, ex, n, state) {
  const f = ex.f;
  const status = ex.s;
  const errpc = ex.p;
  const keys = expr.params;
  const row = new F64(n);
  const base = n > 4 ? expr.__rowAddress / 8 : 0;
  // The values of one call, or null when they are not all there.
  const read = (values) => {
    if (isView(values) && tagOf(values) !== undefined) {
      // Typed-array elements are read without any lookup user code can hook.
      if (lengthOf(values) !== n) return false;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number') return false;
        row[i] = v;
      }
      return true;
    }
    // Reading may run user code (getters, proxies); an evaluation of this
    // expression from there is refused, as on the interpreter.
    state.busy = true;
    try {
      if (isArray(values)) {
        if (values.length !== n) return false;
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (typeof v !== 'number') return false;
          row[i] = v;
        }
        return true;
      }
      if (values !== null && typeof values === 'object') {
        for (let i = 0; i < n; i++) {
          const key = keys[i];
          if (!hasOwn(values, key)) return false;
          const v = values[key];
          if (typeof v !== 'number') return false;
          row[i] = v;
        }
        return true;
      }
      return values === undefined && n === 0;
    } finally {
      state.busy = false;
    }
  };
  // The error of a failed point: `code` from export `s` (which cleared it).
  const failed = (code) => withCause(expr.__error(code, errpc()), state);
  const slow = (self, values) => {
    state.generated = false;
    return rawEval.call(self, values);
  };
  const run = () => {
    switch (n) {
      case 0:
        return f();
      case 1:
        return f(row[0]);
      case 2:
        return f(row[0], row[1]);
      case 3:
        return f(row[0], row[1], row[2]);
      case 4:
        return f(row[0], row[1], row[2], row[3]);
      default: {
        // More values than the fast calls take: through the row buffer.
        const mem = memoryF64();
        for (let i = 0; i < n; i++) mem[base + i] = row[i];
        return ex.m();
      }
    }
  };
  return function evalGenerated(values) {
    if (this !== expr || expr.__wbg_ptr === 0) return slow(this, values);
    if (state.busy) throw reentrant();
    if (!read(values)) return slow(this, values);
    state.generated = true;
    if (!state.natives) {
      const r = run();
      if (r === r) return r;
      const code = status();
      if (code !== 0) throw failed(code);
      return r;
    }
    // Native functions may evaluate this expression again (refused) or
    // free it (done once the evaluation ends).
    let r;
    state.busy = true;
    try {
      r = run();
    } finally {
      state.busy = false;
    }
    const code = r !== r ? status() : 0;
    const error = code !== 0 ? failed(code) : null;
    freeIfAsked(expr, state);
    if (error !== null) throw error;
    return r;
  };
}
