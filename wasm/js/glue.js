// JavaScript the Rust side imports (wasm-bindgen copies this file into the
// package under snippets/): the error class, and typed-array copies that
// run no user code.

/** An exp-rs error: `kind` names what went wrong, `start`/`end` where. */
export class ExpRsError extends Error {
  constructor(kind, code, start, end, message, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ExpRsError';
    this.kind = kind;
    this.code = code;
    this.start = start;
    this.end = end;
  }
}

export function makeError(kind, code, start, end, message, cause) {
  return new ExpRsError(kind, code, start, end, message, cause);
}

// Built-ins captured when the module loads. A Float64Array subclass, a
// Proxy or a patched prototype can make `length` lie or `subarray` run
// user code; these cannot, so the Rust side never copies a wrong number
// of values (which would panic, and a panic traps the module).
const F64 = Float64Array;
// `uncurry(f)(self, ...args)` is `f.call(self, ...args)`, fixed at load.
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const isView = ArrayBuffer.isView;
const TA = Object.getPrototypeOf(F64.prototype);
const getter = (key) => uncurry(Object.getOwnPropertyDescriptor(TA, key).get);
const lengthOf = getter('length');
const bufferOf = getter('buffer');
const offsetOf = getter('byteOffset');
const tagOf = getter(Symbol.toStringTag);
const setFrom = uncurry(TA.set);
const isArray = Array.isArray;
const hasOwn = Object.hasOwn;
const memoryBuffer = uncurry(
  Object.getOwnPropertyDescriptor(WebAssembly.Memory.prototype, 'buffer').get,
);

// The module's memory, registered once by the Rust side (`setMemory`), and
// a view of all of it, made again after the memory grew (growing detaches
// the old buffer, so the old view's length drops to 0). Fetched only after
// any user code has run.
let memory = null;
let memoryView = new F64(0);

export function setMemory(m) {
  memory = m;
}

function memoryF64() {
  if (lengthOf(memoryView) === 0) {
    memoryView = new F64(memoryBuffer(memory));
  }
  return memoryView;
}

/** The tag of a typed array (`'Float64Array'`, …), `undefined` otherwise. */
function typedArrayTag(value) {
  return isView(value) ? tagOf(value) : undefined;
}

/** The length of a Float64Array (0 once detached), or -1 for anything else. */
export function f64Length(value) {
  if (typedArrayTag(value) !== 'Float64Array') return -1;
  return lengthOf(value);
}

/** A view of `len` values of the Float64Array `array` from index `start`. */
function view(array, start, len) {
  return new F64(bufferOf(array), offsetOf(array) + start * 8, len);
}

/** Copies `len` values of `src` from index `start` to wasm memory at `ptr`. */
export function f64CopyIn(ptr, src, start, len) {
  setFrom(memoryF64(), view(src, start, len), ptr / 8);
}

/** Copies `len` values from wasm memory at `ptr` to `dst` from index `start`. */
export function f64CopyOut(ptr, dst, start, len) {
  const from = new F64(memoryBuffer(memory), ptr, len);
  setFrom(view(dst, start, len), from);
}

// `readRow` collects values here first: a getter (user code) could grow
// wasm memory, so nothing is written there until all values are read.
let staging = new F64(16);

/**
 * Reads `Expression.eval`'s argument — a typed array, an array of numbers
 * or an object with a number for each of `keys` (own properties only) —
 * into `n` values at `ptr` in wasm memory. Returns `undefined`, or
 * `[problem, at]`: 0 wrong count (`at`: the count), 1 item `at` is not a
 * number, 2 no own property `keys[at]`, 3 not a supported type.
 */
export function readRow(ptr, n, values, keys) {
  if (staging.length < n) staging = new F64(n);
  const row = staging;
  if (typedArrayTag(values) !== undefined) {
    const len = lengthOf(values);
    if (len !== n) return [0, len];
    // Typed-array elements are read without any lookup user code can hook.
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return [1, i]; // BigInt64Array
      row[i] = v;
    }
  } else if (isArray(values)) {
    const len = values.length;
    if (len !== n) return [0, typeof len === 'number' ? len : -1];
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'number') return [1, i];
      row[i] = v;
    }
  } else if (values !== null && typeof values === 'object') {
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      if (!hasOwn(values, key)) return [2, i];
      const v = values[key];
      if (typeof v !== 'number') return [1, i];
      row[i] = v;
    }
  } else if (!(values === undefined && n === 0)) {
    return [3, 0];
  }
  const memoryValues = memoryF64();
  const base = ptr / 8;
  for (let i = 0; i < n; i++) memoryValues[base + i] = row[i];
  return undefined;
}
