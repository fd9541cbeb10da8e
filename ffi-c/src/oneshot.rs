//! One-shot evaluation and the arena size estimate.

use alloc::vec::Vec;
use core::ffi::c_char;

use bumpalo::Bump;
use exp_rs::{Batch, Context};

use crate::context::ExpRsContext;
use crate::error::{exp_rs_error, from_core};
use crate::exp_rs_real;
use crate::guard::boundary;
use crate::status::exp_rs_status;
use crate::text::{c_str, name, slice};

/// Evaluates `src` once with the built-in functions and constants and the
/// `n` variables `names[i] = values[i]` (both may be NULL when `n` is 0),
/// writing the value to `*out` on success. For scripts and tests: it
/// allocates (a context and an arena per call). To evaluate a formula
/// repeatedly, use a batch builder.
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME` (a name that is
/// not an identifier), `DUPLICATE_NAME`, and every
/// syntax, compile and evaluation error. For the error's span use
/// `exp_rs_eval_ex`.
///
/// # Safety
/// `src` is NULL or NUL-terminated; `names` and `values` are NULL or point
/// to `n` entries (each name NULL or NUL-terminated); `out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_eval(
    src: *const c_char,
    names: *const *const c_char,
    values: *const exp_rs_real,
    n: usize,
    out: *mut exp_rs_real,
) -> exp_rs_status {
    // SAFETY: forwarded contract.
    unsafe { exp_rs_eval_ex(src, names, values, n, out, core::ptr::null_mut()) }
}

/// As `exp_rs_eval`; on failure also writes the error (status, span into
/// `src`) to `*error` if `error` is not NULL — render it with
/// `exp_rs_error_render(src, error, ...)`. `*out` is written only on
/// success, `*error` only on failure.
///
/// # Safety
/// As `exp_rs_eval`; `error` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_eval_ex(
    src: *const c_char,
    names: *const *const c_char,
    values: *const exp_rs_real,
    n: usize,
    out: *mut exp_rs_real,
    error: *mut exp_rs_error,
) -> exp_rs_status {
    // SAFETY: forwarded contract; a NULL context means the built-ins.
    unsafe { exp_rs_context_eval(core::ptr::null(), src, names, values, n, out, error) }
}

/// Evaluates `src` once against `ctx` (NULL: the built-in functions and
/// constants) with the `n` variables `names[i] = values[i]`; as
/// `exp_rs_eval_ex` otherwise. A name that is neither a variable nor bound
/// in the context is `UNKNOWN_VARIABLE` (unlike a batch builder, where it
/// becomes a parameter). It evaluates against a clone of the context as it
/// is at the call (a native callback may change the context; the change
/// applies to later calls). A failure is also recorded as the context's
/// last error. Allocates (a scratch arena).
///
/// # Safety
/// `ctx` is NULL or live; otherwise as `exp_rs_eval_ex`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_eval(
    ctx: *const ExpRsContext,
    src: *const c_char,
    names: *const *const c_char,
    values: *const exp_rs_real,
    n: usize,
    out: *mut exp_rs_real,
    error: *mut exp_rs_error,
) -> exp_rs_status {
    let result = boundary(Err(exp_rs_status::Panic.into_error()), || {
        // SAFETY: NULL or NUL-terminated / `n` entries, per the contract.
        let (src, names, values) = unsafe {
            let src = c_str(src).map_err(|e| e.into_error())?;
            let names = slice(names, n).map_err(|e| e.into_error())?;
            let values = slice(values, n).map_err(|e| e.into_error())?;
            (src, names, values)
        };
        if out.is_null() {
            return Err(exp_rs_status::NullPointer.into_error());
        }
        let mut vars: Vec<(&str, exp_rs_real)> = Vec::with_capacity(n);
        for (&p, &v) in names.iter().zip(values) {
            // SAFETY: NULL or NUL-terminated, per the contract.
            vars.push((unsafe { name(p) }.map_err(|e| e.into_error())?, v));
        }
        // SAFETY: NULL or live, per the contract.
        let result = match unsafe { ctx.as_ref() } {
            Some(c) => {
                let snapshot = c.snapshot();
                let result = exp_rs::eval_with(src, &vars, &snapshot);
                if let (Err(e), Ok(mut last)) = (result, c.last_error.try_borrow_mut()) {
                    last.with_text(e, usize::MAX, src);
                }
                result
            }
            None => exp_rs::eval_with(src, &vars, &Context::new()),
        };
        result.map_err(|e| from_core(e, usize::MAX))
    });
    match result {
        Ok(v) => {
            // SAFETY: checked non-NULL above; writable per the contract.
            unsafe { out.write(v) };
            exp_rs_status::Ok
        }
        Err(e) => {
            if !error.is_null() {
                // SAFETY: non-NULL and writable, per the contract.
                unsafe { error.write(e) };
            }
            let status = exp_rs_status::from_code(e.status).unwrap_or(exp_rs_status::Error);
            // SAFETY: NULL or live, per the contract.
            unsafe { ctx.as_ref() }.map_or(status, |c| c.record(status))
        }
    }
}

impl exp_rs_status {
    fn into_error(self) -> exp_rs_error {
        exp_rs_error {
            status: self as i32,
            ..exp_rs_error::NONE
        }
    }
}

/// Slack added to the measured size: a little room for alignment.
const ESTIMATE_SLACK: usize = 64;

/// Writes to `*size` the arena size (for `exp_rs_arena_new`) that a batch
/// builder needs for these `n` expressions, in this order, against `ctx`
/// (NULL: the built-in functions and constants only). It compiles them
/// once into a scratch arena on the heap and measures it, plus a little
/// slack, so a fixed arena of that size holds them. Parameters declared
/// with `exp_rs_batch_builder_add_param` need room too (their names and
/// the name table: allow about 64 bytes each). Allocates (scratch).
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, and the first expression's
/// compile error (with a context, also its last error, whose `expression`
/// is the index into `exprs`).
///
/// # Safety
/// `ctx` is NULL or live; `exprs` is NULL or points to `n` entries, each
/// NULL or NUL-terminated; `size` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_arena_estimate(
    ctx: *const ExpRsContext,
    exprs: *const *const c_char,
    n: usize,
    size: *mut usize,
) -> exp_rs_status {
    // SAFETY: NULL or live, per the contract.
    let handle = unsafe { ctx.as_ref() };
    let status = boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or `n` entries, per the contract.
        let exprs = match unsafe { slice(exprs, n) } {
            Ok(e) => e,
            Err(e) => return e,
        };
        if size.is_null() {
            return exp_rs_status::NullPointer;
        }
        let ctx = handle.map_or_else(Context::new, |c| c.snapshot());
        let mut sources = Vec::with_capacity(n);
        for &p in exprs {
            // SAFETY: NULL or NUL-terminated, per the contract.
            match unsafe { c_str(p) } {
                Ok(s) => sources.push(s),
                Err(e) => return e,
            }
        }
        // One big first block, so the measure is not inflated by the
        // unused tails of several small blocks.
        let guess = 4096 + sources.iter().map(|s| s.len() * 64).sum::<usize>();
        let Ok(scratch) = Bump::try_with_capacity(guess) else {
            return exp_rs_status::ArenaFull;
        };
        let mut batch = Batch::new(&ctx, &scratch);
        for (i, s) in sources.iter().enumerate() {
            if let Err(e) = batch.add_expression(s) {
                if let Some(Ok(mut last)) = handle.map(|c| c.last_error.try_borrow_mut()) {
                    last.with_text(e, i, s);
                }
                return e.into();
            }
        }
        drop(batch);
        let needed = exp_rs::arena_used(&scratch) + ESTIMATE_SLACK;
        // SAFETY: non-NULL and writable, per the contract.
        unsafe { size.write(needed) };
        exp_rs_status::Ok
    });
    handle.map_or(status, |c| c.record(status))
}
