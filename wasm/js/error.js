// The error class every exp-rs failure is thrown as. Kept in JS so it can
// extend Error (a wasm-bindgen class cannot); the Rust side builds it
// through `makeError`.

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
