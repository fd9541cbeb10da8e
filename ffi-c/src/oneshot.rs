//! One-shot evaluation and the arena size estimate.

use alloc::vec::Vec;
use core::ffi::c_char;

use bumpalo::Bump;
use exp_rs::Batch;
use exp_rs::fallible::try_push;

use crate::context::{ExpRsContext, snapshot_or_default, vec_for};
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
/// not an identifier), `DUPLICATE_NAME`, `OUT_OF_MEMORY` (the heap cannot
/// hold the context) or `ARENA_FULL` (nor the compile), and every
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
/// last error. Allocates (a scratch arena): `OUT_OF_MEMORY` when the heap
/// cannot hold the context's clone, `ARENA_FULL` when it cannot hold the
/// compile.
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
        let mut vars: Vec<(&str, exp_rs_real)> = vec_for(n).map_err(|e| e.into_error())?;
        for (&p, &v) in names.iter().zip(values) {
            // SAFETY: NULL or NUL-terminated, per the contract.
            let n = unsafe { name(p) }.map_err(|e| e.into_error())?;
            try_push(&mut vars, (n, v)).map_err(|_| exp_rs_status::OutOfMemory.into_error())?;
        }
        // SAFETY: NULL or live, per the contract.
        let handle = unsafe { ctx.as_ref() };
        let ctx = snapshot_or_default(handle).map_err(|e| e.into_error())?;
        // A full heap is `ARENA_FULL` here, as in every compile.
        let result = exp_rs::eval_with(src, &vars, &ctx);
        if let (Err(e), Some(Ok(mut last))) =
            (result, handle.map(|c| c.last_error.try_borrow_mut()))
        {
            last.with_text(e, usize::MAX, src);
        }
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
    /// This status as an error value without a span.
    pub(crate) fn into_error(self) -> exp_rs_error {
        exp_rs_error {
            status: self as i32,
            ..exp_rs_error::NONE
        }
    }
}

/// Slack added to the measured size: room for alignment (the arena's
/// current position differs from the scratch arena's) and for the 32 bytes
/// each add wants free beyond its own measure.
const ESTIMATE_SLACK: usize = 64;

/// Writes to `*size` the arena size (for `exp_rs_arena_new`) that a batch
/// builder needs for these `n` expressions, in this order, against `ctx`
/// (NULL: the built-in functions and constants only): as
/// `exp_rs_arena_estimate_params` without declared parameters. If the
/// builder will have parameters declared with
/// `exp_rs_batch_builder_add_param`, use `exp_rs_arena_estimate_params`.
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
    // SAFETY: forwarded contract; no parameters.
    unsafe { exp_rs_arena_estimate_params(ctx, exprs, n, core::ptr::null(), 0, size) }
}

/// Writes to `*size` the arena size (for `exp_rs_arena_new`) that a batch
/// builder needs for the `n_params` parameters declared with
/// `exp_rs_batch_builder_add_param` (`params`: their names) and the `n`
/// expressions `exprs`, added in this order, against `ctx` (NULL: the
/// built-in functions and constants only). It declares and compiles them
/// once into a scratch arena on the heap and measures it, plus a little
/// slack, and rounds up to a block size `exp_rs_arena_new` makes exactly:
/// an arena of that size holds the set, whether made bound
/// (`exp_rs_batch_builder_new`) or bound later (`_new_with_arena`, which
/// also keeps the sources until binding; counted). Allocates (scratch).
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME`, `ARENA_FULL`
/// (the heap cannot hold the scratch arena), `OUT_OF_MEMORY` (nor a clone
/// of the context), and the first expression's
/// compile error. With a context, every failure is also recorded as its
/// last error (for a compile error, `expression` is the index into
/// `exprs`).
///
/// # Safety
/// `ctx` is NULL or live; `exprs` is NULL or points to `n` entries, each
/// NULL or NUL-terminated; `params` is NULL or points to `n_params`
/// entries, each NULL or NUL-terminated; `size` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_arena_estimate_params(
    ctx: *const ExpRsContext,
    exprs: *const *const c_char,
    n: usize,
    params: *const *const c_char,
    n_params: usize,
    size: *mut usize,
) -> exp_rs_status {
    // SAFETY: NULL or live, per the contract.
    let handle = unsafe { ctx.as_ref() };
    // Engine statuses without a source (`record` leaves those to callers).
    let fail = |status: exp_rs_status| {
        if let Some(Ok(mut last)) = handle.map(|c| c.last_error.try_borrow_mut()) {
            last.status(status);
        }
        status
    };
    let status = boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or `n` / `n_params` entries, per the contract.
        let (exprs, params) = match unsafe { (slice(exprs, n), slice(params, n_params)) } {
            (Ok(e), Ok(p)) => (e, p),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        if size.is_null() {
            return exp_rs_status::NullPointer;
        }
        let ctx = match snapshot_or_default(handle) {
            Ok(c) => c,
            Err(e) => return e,
        };
        let mut sources = match vec_for(n) {
            Ok(v) => v,
            Err(e) => return e,
        };
        for &p in exprs {
            // SAFETY: NULL or NUL-terminated, per the contract.
            match unsafe { c_str(p) } {
                Ok(s) => {
                    if try_push(&mut sources, s).is_err() {
                        return fail(exp_rs_status::OutOfMemory);
                    }
                }
                Err(e) => return e,
            }
        }
        let mut names = match vec_for(n_params) {
            Ok(v) => v,
            Err(e) => return e,
        };
        for &p in params {
            // SAFETY: NULL or NUL-terminated, per the contract.
            match unsafe { name(p) } {
                Ok(s) => {
                    if try_push(&mut names, s).is_err() {
                        return fail(exp_rs_status::OutOfMemory);
                    }
                }
                Err(e) => return e,
            }
        }
        let text: usize = sources.iter().map(|s| s.len()).sum();
        // One block, so the measure is not inflated by the unused tails of
        // several: a guess, then (rarely) once more with what it took.
        let mut guess = 4096 + text * 64 + names.iter().map(|p| p.len() + 64).sum::<usize>();
        let used = loop {
            let Ok(scratch) = Bump::try_with_capacity(guess) else {
                return fail(exp_rs_status::ArenaFull);
            };
            let first = scratch.allocated_bytes();
            let Ok(mut batch) = Batch::try_new(&ctx, &scratch) else {
                return fail(exp_rs_status::OutOfMemory);
            };
            for p in &names {
                if let Err(e) = batch.add_param(p, 0.0) {
                    return fail(e.into());
                }
            }
            for (i, s) in sources.iter().enumerate() {
                if let Err(e) = batch.add_expression(s) {
                    if let Some(Ok(mut last)) = handle.map(|c| c.last_error.try_borrow_mut()) {
                        last.with_text(e, i, s);
                    }
                    return e.into();
                }
            }
            drop(batch);
            if scratch.allocated_bytes() == first {
                break exp_rs::arena_used(&scratch);
            }
            guess = scratch.allocated_bytes().saturating_mul(2);
        };
        // A builder made without a context keeps each source until it is
        // bound, then compiles as a bound one does.
        let needed = used + text + ESTIMATE_SLACK;
        // SAFETY: non-NULL and writable, per the contract.
        unsafe { size.write(crate::arena::block_for(needed)) };
        exp_rs_status::Ok
    });
    handle.map_or(status, |c| c.record(status))
}
