//! Derivatives from C (issue 17): the derivative's canonical source into a
//! caller's buffer. The batch builder's `exp_rs_batch_builder_add_derivative`
//! is in `builder.rs`.

use alloc::string::{String, ToString};
use core::ffi::c_char;

use bumpalo::Bump;
use exp_rs::Expr;

use crate::context::{ExpRsContext, snapshot_or_default};
use crate::error::{exp_rs_error, from_core};
use crate::guard::boundary;
use crate::status::exp_rs_status;
use crate::text::{c_str, write_text};

/// Writes the derivative of `src` with respect to `var`, simplified, as
/// canonical source into `buf` (as in `exp_rs_error_render`: always
/// NUL-terminated when `len > 0`, `BUFFER_TOO_SMALL` when cut; `needed`
/// may be NULL and receives the size including the NUL; `buf` may be NULL
/// when `len` is 0, to ask for the size). `d/dx x^3` is `3 * x^2`.
///
/// `ctx` (NULL: the built-in functions and constants) supplies the
/// functions, constants, arrays and objects; every other name of `src` is
/// a parameter, as in a batch builder. A `var` that `src` does not use
/// gives `0`. Rules and errors as SPEC.md "Derivatives and printing":
/// `NOT_DIFFERENTIABLE` at a recursive expression function or a native
/// function without a registered derivative; `TOO_DEEP` or `ARENA_FULL`
/// when the derivative passes the context's limits; every syntax and name
/// error of `src`. On such a failure `*error` (if not NULL) gets the
/// status and the span into `src`, also recorded as the context's last
/// error. Allocates (a scratch arena, the text).
///
/// # Safety
/// `ctx` is NULL or live; `src` and `var` are NULL or NUL-terminated;
/// `buf` is NULL or writable for `len` bytes; `needed` and `error` are
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_derivative(
    ctx: *const ExpRsContext,
    src: *const c_char,
    var: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    error: *mut exp_rs_error,
) -> exp_rs_status {
    let result: Result<String, exp_rs_error> =
        boundary(Err(exp_rs_status::Panic.into_error()), || {
            // SAFETY: NULL or NUL-terminated, per the contract.
            let (src, var) = unsafe {
                let src = c_str(src).map_err(|e| e.into_error())?;
                let var = c_str(var).map_err(|e| e.into_error())?;
                (src, var)
            };
            // SAFETY: NULL or live, per the contract.
            let handle = unsafe { ctx.as_ref() };
            let snapshot = snapshot_or_default(handle).map_err(|e| e.into_error())?;
            let arena = Bump::new();
            let derived = Expr::compile_auto(src, &snapshot, &arena)
                .and_then(|e| exp_rs::derivative(e.ast(), var, e.params(), &snapshot, &arena));
            match derived {
                Ok(tree) => Ok(tree.to_string()),
                Err(e) => {
                    if let Some(Ok(mut last)) = handle.map(|c| c.last_error.try_borrow_mut()) {
                        last.with_text(e, usize::MAX, src);
                    }
                    Err(from_core(e, usize::MAX))
                }
            }
        });
    match result {
        // SAFETY: the caller's promise about buf, len and needed.
        Ok(text) => unsafe { write_text(buf, len, needed, |w| w.push_str(&text)) },
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
