//! `ExpRsContext`: constants, functions, arrays, objects and limits.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::{RefCell, UnsafeCell};
use core::ffi::{c_char, c_void};

use exp_rs::fallible::{try_box, try_push};
use exp_rs::{AllocError, Arity, CallbackError, Context, DefineError, Limits};

use crate::error::{LastError, exp_rs_error};
use crate::exp_rs_real;
use crate::guard::boundary;
use crate::status::exp_rs_status;
use crate::text::{c_str, name, slice, write_text};

/// The names expressions may use besides their parameters: constants,
/// native and expression functions, arrays, objects, and the limits.
/// Opaque; create with `exp_rs_context_new`, release with
/// `exp_rs_context_free`.
///
/// Builders and evaluations work on a clone (cheap: the tables are shared
/// and copied on the next change), so the context can be changed or freed
/// at any time: a batch builder keeps the context as it was when it was
/// bound; later changes apply to builders bound later.
pub struct ExpRsContext {
    /// The engine's context. `&mut` only inside `modify`, which runs no
    /// user code; every other use is a short `&` (a clone, a read), so
    /// several threads may read it while none changes it.
    ctx: UnsafeCell<Context<exp_rs_real>>,
    /// The last failure of a call on this context.
    pub(crate) last_error: RefCell<LastError>,
}

impl ExpRsContext {
    /// A clone of the engine's context, as it is now; `OUT_OF_MEMORY` if
    /// the heap cannot hold it.
    pub(crate) fn snapshot(&self) -> Result<Context<exp_rs_real>, exp_rs_status> {
        self.get().try_clone().map_err(out_of_memory)
    }

    /// The engine's context, to read or clone.
    pub(crate) fn get(&self) -> &Context<exp_rs_real> {
        // SAFETY: the only `&mut` is made by `modify`, for a call that
        // neither runs user code nor calls back into this crate.
        unsafe { &*self.ctx.get() }
    }

    /// Records a failure as the last error (engine errors come with their
    /// source from the caller; this records the rest).
    pub(crate) fn record(&self, status: exp_rs_status) -> exp_rs_status {
        if status != exp_rs_status::Ok
            && status.kind().is_none()
            && let Ok(mut last) = self.last_error.try_borrow_mut()
        {
            last.status(status);
        }
        status
    }
}

/// The handle for `ctx`, or NULL if the heap cannot hold either.
fn new_context(ctx: Result<Context<exp_rs_real>, AllocError>) -> *mut ExpRsContext {
    let Ok(ctx) = ctx else {
        return core::ptr::null_mut();
    };
    try_box(ExpRsContext {
        ctx: UnsafeCell::new(ctx),
        last_error: RefCell::new(LastError::new()),
    })
    .map_or(core::ptr::null_mut(), Box::into_raw)
}

/// The status for a heap that ran dry.
pub(crate) fn out_of_memory(_: AllocError) -> exp_rs_status {
    exp_rs_status::OutOfMemory
}

/// A clone of `handle`'s context, or without a handle a new default one;
/// `OUT_OF_MEMORY` if the heap cannot hold it.
pub(crate) fn snapshot_or_default(
    handle: Option<&ExpRsContext>,
) -> Result<Context<exp_rs_real>, exp_rs_status> {
    handle.map_or_else(
        || Context::try_new().map_err(out_of_memory),
        ExpRsContext::snapshot,
    )
}

/// An empty vector with room for `n` entries, or `OUT_OF_MEMORY`.
pub(crate) fn vec_for<T>(n: usize) -> Result<Vec<T>, exp_rs_status> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| exp_rs_status::OutOfMemory)?;
    Ok(v)
}

/// Runs `f` with the context mutable; NULL is refused; a failure is
/// recorded as the last error.
///
/// # Safety
/// `ctx` is NULL or a live pointer from `exp_rs_context_new*`.
unsafe fn modify(
    ctx: *mut ExpRsContext,
    f: impl FnOnce(&mut Context<exp_rs_real>, &mut LastError) -> exp_rs_status,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(c) = (unsafe { ctx.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        let Ok(mut last) = c.last_error.try_borrow_mut() else {
            return exp_rs_status::Reentrant;
        };
        // SAFETY: no other reference into the cell is alive (see `get`).
        let status = f(unsafe { &mut *c.ctx.get() }, &mut last);
        // Engine errors were recorded by `f`, with their source text.
        if status != exp_rs_status::Ok && status.kind().is_none() {
            last.status(status);
        }
        status
    })
}

/// Creates a context with every built-in function of the language and the
/// constants `pi`, `e` and `tau`. Allocates (its tables); returns NULL only
/// if that fails. Free with `exp_rs_context_free`.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_context_new() -> *mut ExpRsContext {
    boundary(core::ptr::null_mut(), || new_context(Context::try_new()))
}

/// Creates a context with no functions and no constants; NULL if the heap
/// cannot hold it. Free with `exp_rs_context_free`.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_context_new_empty() -> *mut ExpRsContext {
    boundary(core::ptr::null_mut(), || new_context(Context::try_empty()))
}

/// Releases a context. NULL does nothing. Batch builders bound to it keep
/// working (they keep the context as it was when they were bound). Freeing
/// twice, or from inside a call on the same context (a native callback of
/// `exp_rs_context_eval`), is undefined.
///
/// # Safety
/// `ctx` is NULL or a live pointer from `exp_rs_context_new*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_free(ctx: *mut ExpRsContext) {
    boundary((), || {
        if !ctx.is_null() {
            // SAFETY: a live context given up by its owner, per the contract.
            drop(unsafe { Box::from_raw(ctx) });
        }
    })
}

/// Binds (or rebinds) the constant `name` to `value`. Constants are folded
/// into programs when they are compiled. Allocates (the table entry).
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME` (not an
/// identifier), `OUT_OF_MEMORY` (nothing changed).
///
/// # Safety
/// `ctx` is NULL or live; `name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_set_constant(
    ctx: *mut ExpRsContext,
    name: *const c_char,
    value: exp_rs_real,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| match name_arg(name) {
        Ok(n) => c
            .try_set_constant(n, value)
            .map_or_else(out_of_memory, |()| exp_rs_status::Ok),
        Err(e) => e,
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// `name` as an identifier, for use inside closures.
fn name_arg<'a>(p: *const c_char) -> Result<&'a str, exp_rs_status> {
    // SAFETY: every caller passes a C argument the exported function's
    // contract declares NULL or NUL-terminated.
    unsafe { name(p) }
}

/// A native function: `args` holds `n_args` values (it may be a dangling
/// non-NULL pointer when `n_args` is 0); return the result. `user_data` is
/// the pointer given when the function was added. Called during evaluation:
/// it must not unwind (C++ exceptions, `longjmp`) out of the call.
pub type exp_rs_native_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        args: *const exp_rs_real,
        n_args: usize,
    ) -> exp_rs_real,
>;

/// A native function that may fail: write the result to `*out` and return
/// true, or return false (evaluation then fails with
/// `EXP_RS_STATUS_CALLBACK`). Otherwise as `exp_rs_native_fn`.
pub type exp_rs_native_fallible_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        args: *const exp_rs_real,
        n_args: usize,
        out: *mut exp_rs_real,
    ) -> bool,
>;

/// The user data pointer, carried into closures. Only dereferenced by C.
#[derive(Clone, Copy)]
struct UserData(*mut c_void);

fn to_arity(n: usize, variadic: bool) -> Arity {
    if variadic {
        Arity::AtLeast(n)
    } else {
        Arity::Exact(n)
    }
}

/// Adds (or replaces, including a built-in) the native function `name`,
/// taking exactly `arity` arguments, or at least `arity` when `variadic`.
/// `user_data` (may be NULL) is passed to every call; exp-rs never reads or
/// frees it, and it must stay valid as long as the context. Allocates (the
/// table entry).
///
/// Errors: `NULL_POINTER` (`ctx`, `name` or `func`), `INVALID_UTF8`,
/// `INVALID_NAME`, `OUT_OF_MEMORY` (nothing changed).
///
/// # Safety
/// `ctx` is NULL or live; `name` is NULL or NUL-terminated; `func`, if not
/// NULL, follows `exp_rs_native_fn` and may be called with `user_data` for
/// as long as the context lives.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_add_function(
    ctx: *mut ExpRsContext,
    name: *const c_char,
    arity: usize,
    variadic: bool,
    func: exp_rs_native_fn,
    user_data: *mut c_void,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| {
        let n = match name_arg(name) {
            Ok(n) => n,
            Err(e) => return e,
        };
        let Some(f) = func else {
            return exp_rs_status::NullPointer;
        };
        let data = UserData(user_data);
        c.try_add_function(
            n,
            to_arity(arity, variadic),
            move |args: &[exp_rs_real]| {
                let data = data;
                // SAFETY: the caller of `add_function` promised `f` may be
                // called with `user_data`; `args` is a valid slice.
                unsafe { f(data.0, args.as_ptr(), args.len()) }
            },
        )
        .map_or_else(out_of_memory, |()| exp_rs_status::Ok)
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// As `exp_rs_context_add_function`, for a function that may fail (see
/// `exp_rs_native_fallible_fn`).
///
/// # Safety
/// As `exp_rs_context_add_function`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_add_fallible_function(
    ctx: *mut ExpRsContext,
    name: *const c_char,
    arity: usize,
    variadic: bool,
    func: exp_rs_native_fallible_fn,
    user_data: *mut c_void,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| {
        let n = match name_arg(name) {
            Ok(n) => n,
            Err(e) => return e,
        };
        let Some(f) = func else {
            return exp_rs_status::NullPointer;
        };
        let data = UserData(user_data);
        c.try_add_fallible_function(
            n,
            to_arity(arity, variadic),
            move |args: &[exp_rs_real]| {
                let data = data;
                let mut out: exp_rs_real = 0.0;
                // SAFETY: as in `exp_rs_context_add_function`; `out` is a
                // valid place for one value.
                let ok = unsafe { f(data.0, args.as_ptr(), args.len(), &mut out) };
                if ok { Ok(out) } else { Err(CallbackError) }
            },
        )
        .map_or_else(out_of_memory, |()| exp_rs_status::Ok)
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Adds (or replaces) an expression function from its definition, such as
/// `"hyp(a, b) = sqrt(a^2 + b^2)"`. Its body sees its own parameters and
/// this context's constants, arrays and objects; the functions it calls are
/// looked up when an expression using it is compiled (so definitions may
/// refer to each other, and recursion works). Allocates.
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `OUT_OF_MEMORY` (nothing
/// changed), and the syntax and name errors of the definition, with a span
/// into it (see `exp_rs_context_last_error` and
/// `exp_rs_context_last_error_message`).
///
/// # Safety
/// `ctx` is NULL or live; `definition` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_add_expression_function(
    ctx: *mut ExpRsContext,
    definition: *const c_char,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, last: &mut LastError| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let def = match unsafe { c_str(definition) } {
            Ok(d) => d,
            Err(e) => return e,
        };
        match c.try_add_expression_function(def) {
            Ok(()) => exp_rs_status::Ok,
            Err(DefineError::Invalid(e)) => {
                last.with_text(e, usize::MAX, def);
                exp_rs_status::from(e)
            }
            Err(DefineError::OutOfMemory) => exp_rs_status::OutOfMemory,
        }
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Binds (or rebinds) the array `name` (for `name[i]`) to a copy of the
/// `n` values at `values` (`values` may be NULL when `n` is 0). Allocates.
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME`,
/// `OUT_OF_MEMORY` (nothing changed).
///
/// # Safety
/// `ctx` is NULL or live; `name` is NULL or NUL-terminated; `values` is
/// NULL or points to `n` values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_add_array(
    ctx: *mut ExpRsContext,
    name: *const c_char,
    values: *const exp_rs_real,
    n: usize,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| {
        let n_ = match name_arg(name) {
            Ok(x) => x,
            Err(e) => return e,
        };
        // SAFETY: NULL or `n` values, per the contract.
        match unsafe { slice(values, n) } {
            Ok(v) => c
                .try_add_array(n_, v)
                .map_or_else(out_of_memory, |()| exp_rs_status::Ok),
            Err(e) => e,
        }
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Binds (or rebinds) the object `name` (for `name.field`) with `n` fields:
/// `fields[i]` is bound to `values[i]` (both may be NULL when `n` is 0).
/// Allocates.
///
/// Errors: `NULL_POINTER` (also for a NULL field name), `INVALID_UTF8`,
/// `INVALID_NAME` (object or field), `OUT_OF_MEMORY` (nothing changed).
///
/// # Safety
/// `ctx` is NULL or live; `name` is NULL or NUL-terminated; `fields` and
/// `values` are NULL or point to `n` entries, each field name NULL or
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_add_object(
    ctx: *mut ExpRsContext,
    name: *const c_char,
    fields: *const *const c_char,
    values: *const exp_rs_real,
    n: usize,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| {
        let object = match name_arg(name) {
            Ok(x) => x,
            Err(e) => return e,
        };
        // SAFETY: NULL or `n` entries each, per the contract.
        let (names, vals) = match unsafe { (slice(fields, n), slice(values, n)) } {
            (Ok(f), Ok(v)) => (f, v),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let mut pairs: Vec<(&str, exp_rs_real)> = match vec_for(n) {
            Ok(v) => v,
            Err(e) => return e,
        };
        for (&f, &v) in names.iter().zip(vals) {
            match name_arg(f) {
                Ok(field) => {
                    if try_push(&mut pairs, (field, v)).is_err() {
                        return exp_rs_status::OutOfMemory;
                    }
                }
                Err(e) => return e,
            }
        }
        c.try_add_object(object, &pairs)
            .map_or_else(out_of_memory, |()| exp_rs_status::Ok)
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Removes the constant, function, array or object called `name`.
/// `EXP_RS_STATUS_NOT_FOUND` if there was none; otherwise as
/// `exp_rs_context_set_constant`.
///
/// # Safety
/// `ctx` is NULL or live; `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_remove(
    ctx: *mut ExpRsContext,
    name: *const c_char,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| match name_arg(name) {
        Ok(n) => match c.try_remove(n) {
            Ok(true) => exp_rs_status::Ok,
            Ok(false) => exp_rs_status::NotFound,
            Err(_) => exp_rs_status::OutOfMemory,
        },
        Err(e) => e,
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Which limit `exp_rs_context_set_limit` / `exp_rs_context_get_limit`
/// mean: one of the `EXP_RS_LIMIT_*` numbers. A plain integer, not a C
/// enum, so its size does not depend on the compiler (`-fshort-enums`) and
/// an unknown number is an error, not undefined behaviour; numbers are
/// never reused, and new limits get new ones.
pub type exp_rs_limit = u32;

/// The deepest nesting of an expression (default 256); deeper is `TOO_DEEP`.
pub const EXP_RS_LIMIT_MAX_DEPTH: exp_rs_limit = 1;
/// The longest source in bytes (default 65536); longer is `TOO_LONG`.
pub const EXP_RS_LIMIT_MAX_LEN: exp_rs_limit = 2;
/// The deepest chain of expression-function calls at evaluation time
/// (default 256); deeper is `RECURSION_LIMIT`.
pub const EXP_RS_LIMIT_MAX_CALLS: exp_rs_limit = 3;
/// The most expression-function calls in one evaluation (default
/// 1000000); more is `RECURSION_LIMIT`.
pub const EXP_RS_LIMIT_MAX_TOTAL_CALLS: exp_rs_limit = 4;
/// The most instructions one evaluation executes (default 10000000); more
/// is `STEP_LIMIT`. The bound on evaluation time.
pub const EXP_RS_LIMIT_MAX_STEPS: exp_rs_limit = 5;

/// Sets one limit (`which`, an `EXP_RS_LIMIT_*`) of this context to `value`.
/// Compiles (builders bound later, `exp_rs_context_eval`) and the
/// evaluations of what they compile obey the context's limits; input past
/// them fails with a status, never a crash. Errors: `NULL_POINTER`,
/// `INVALID_ARGUMENT` (unknown `which`), `OUT_OF_MEMORY` (nothing
/// changed). Allocates only while a builder shares the context's tables
/// (it copies them, as every change then does).
///
/// # Safety
/// `ctx` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_set_limit(
    ctx: *mut ExpRsContext,
    which: exp_rs_limit,
    value: u32,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| {
        let l = *c.limits();
        let l = match which {
            EXP_RS_LIMIT_MAX_DEPTH => l.with_max_depth(value),
            EXP_RS_LIMIT_MAX_LEN => l.with_max_len(value),
            EXP_RS_LIMIT_MAX_CALLS => l.with_max_calls(value),
            EXP_RS_LIMIT_MAX_TOTAL_CALLS => l.with_max_total_calls(value),
            EXP_RS_LIMIT_MAX_STEPS => l.with_max_steps(value),
            _ => return exp_rs_status::InvalidArgument,
        };
        c.try_set_limits(l)
            .map_or_else(out_of_memory, |()| exp_rs_status::Ok)
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Writes the current value of one limit (`which`, an `EXP_RS_LIMIT_*`) to
/// `*value`. Errors: `NULL_POINTER`, `INVALID_ARGUMENT` (unknown `which`).
///
/// # Safety
/// `ctx` is NULL or live; `value` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_get_limit(
    ctx: *const ExpRsContext,
    which: exp_rs_limit,
    value: *mut u32,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(c) = (unsafe { ctx.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        let l: Limits = *c.get().limits();
        let v = match which {
            EXP_RS_LIMIT_MAX_DEPTH => l.max_depth,
            EXP_RS_LIMIT_MAX_LEN => l.max_len,
            EXP_RS_LIMIT_MAX_CALLS => l.max_calls,
            EXP_RS_LIMIT_MAX_TOTAL_CALLS => l.max_total_calls,
            EXP_RS_LIMIT_MAX_STEPS => l.max_steps,
            _ => return c.record(exp_rs_status::InvalidArgument),
        };
        if value.is_null() {
            return c.record(exp_rs_status::NullPointer);
        }
        // SAFETY: non-NULL and writable, per the contract.
        unsafe { value.write(v) };
        exp_rs_status::Ok
    })
}

/// Copies the last failure of a call on this context into `*out` (status
/// `EXP_RS_STATUS_OK` if none failed yet). The last error stays until the
/// next failure; successful calls do not clear it. No allocation.
///
/// # Safety
/// `ctx` is NULL or live; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_last_error(
    ctx: *const ExpRsContext,
    out: *mut exp_rs_error,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(c) = (unsafe { ctx.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        if out.is_null() {
            return exp_rs_status::NullPointer;
        }
        let Ok(last) = c.last_error.try_borrow() else {
            return exp_rs_status::Reentrant;
        };
        // SAFETY: non-NULL and writable, per the contract.
        unsafe { out.write(last.error) };
        exp_rs_status::Ok
    })
}

/// Writes the message of the last failure on this context into `buf`: for
/// a bad expression-function definition, the caret rendering (the
/// definition, a newline, a caret under the offending text and the
/// message); otherwise the status message; `"success"` if nothing failed.
/// `buf`, `len` and `needed` work as in `exp_rs_error_render`. No
/// allocation.
///
/// # Safety
/// `ctx` is NULL or live; `buf` is NULL or writable for `len` bytes;
/// `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_last_error_message(
    ctx: *const ExpRsContext,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(c) = (unsafe { ctx.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        let Ok(last) = c.last_error.try_borrow() else {
            return exp_rs_status::Reentrant;
        };
        // SAFETY: the caller's promise about buf, len and needed.
        unsafe {
            write_text(buf, len, needed, |w| {
                crate::error::render(&last.error, last.text(), w)
            })
        }
    })
}
