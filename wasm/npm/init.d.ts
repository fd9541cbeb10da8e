
// Loading (written by xtask in place of wasm-bindgen's loader types, which
// need the DOM library: the types check with Node's types alone too).

/**
 * Where `init` may take the module from instead of the bytes the package
 * carries: a URL or `Request`, a `Response`, bytes, or a compiled
 * `WebAssembly.Module` (typed loosely so the types need no DOM library).
 */
export type InitInput = string | { readonly href: string } | ArrayBuffer | ArrayBufferView | object;

/**
 * Loads the WebAssembly module; call it once before anything else in a
 * browser (`await init()`). In Node the module is loaded on import and this
 * resolves at once, so the same code runs in both.
 */
export default function init(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<void>;

/** Loads the module synchronously from bytes or a `WebAssembly.Module`. */
export function initSync(module: { module: ArrayBuffer | ArrayBufferView | object }): unknown;

// `[Symbol.dispose]()` (on `Expression` and `Context`, for `using`) with
// libraries older than ES2025's and no Node types: the symbol's declaration.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
