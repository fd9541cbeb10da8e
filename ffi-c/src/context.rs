//! `ExpRsContext`: constants, functions, arrays, objects and limits.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell, UnsafeCell};
use core::ffi::{c_char, c_void};

use exp_rs::{Arity, CallbackError, Context, Limits};

use crate::error::{LastError, exp_rs_error};
use crate::exp_rs_real;
use crate::guard::boundary;
use crate::status::exp_rs_status;
use crate::text::{c_str, is_identifier, slice, write_text};

/// The names expressions may use besides their parameters: constants,
/// native and expression functions, arrays, objects, and the limits.
/// Opaque; create with `exp_rs_context_new`, release with
/// `exp_rs_context_free`.
pub struct ExpRsContext {
    /// The engine's context. `&mut` is taken only while no batch builder is
    /// bound to it (builders keep `&Context` for their whole life).
    ctx: UnsafeCell<Context<exp_rs_real>>,
    /// Batch builders bound to this context.
    users: Cell<usize>,
    /// `exp_rs_context_free` was called while builders still used it.
    released: Cell<bool>,
    /// The last failure of a call on this context.
    pub(crate) last_error: RefCell<LastError>,
}

impl ExpRsContext {
    /// The engine's context, shared.
    pub(crate) fn ctx(&self) -> &Context<exp_rs_real> {
        // SAFETY: `&mut` is only made by `modify` while `users == 0`,
        // for the duration of one call that hands out no `&Context`.
        unsafe { &*self.ctx.get() }
    }

    /// Registers a bound builder.
    pub(crate) fn acquire(&self) {
        self.users.set(self.users.get() + 1);
    }

    /// Unregisters a builder; frees the context if its owner released it and
    /// this was the last builder.
    ///
    /// # Safety
    /// `ctx` came from `exp_rs_context_new*`, is still allocated, the caller
    /// held one `acquire` and holds no reference into it any more.
    pub(crate) unsafe fn release(ctx: *mut ExpRsContext) {
        // SAFETY: allocated, per the contract.
        let last = unsafe {
            let c = &*ctx;
            c.users.set(c.users.get().saturating_sub(1));
            c.users.get() == 0 && c.released.get()
        };
        if last {
            // SAFETY: released and unused: nobody can reach it.
            drop(unsafe { Box::from_raw(ctx) });
        }
    }

    fn record(&self, status: exp_rs_status) -> exp_rs_status {
        if status != exp_rs_status::Ok
            && let Ok(mut last) = self.last_error.try_borrow_mut()
        {
            last.status(status);
        }
        status
    }
}

fn new_context(ctx: Context<exp_rs_real>) -> *mut ExpRsContext {
    Box::into_raw(Box::new(ExpRsContext {
        ctx: UnsafeCell::new(ctx),
        users: Cell::new(0),
        released: Cell::new(false),
        last_error: RefCell::new(LastError::new()),
    }))
}

/// Runs `f` with the context mutable: NULL and a context in use by a bound
/// builder are refused; the status is recorded as the last error.
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
        if c.users.get() > 0 {
            return c.record(exp_rs_status::ContextInUse);
        }
        let Ok(mut last) = c.last_error.try_borrow_mut() else {
            return exp_rs_status::Reentrant;
        };
        // SAFETY: no builder is bound, so no `&Context` is alive: this is
        // the only reference into the cell until `f` returns.
        let inner = unsafe { &mut *c.ctx.get() };
        let status = f(inner, &mut last);
        // Engine errors were recorded by `f`, with their source text.
        if status != exp_rs_status::Ok && status.kind().is_none() {
            last.status(status);
        }
        status
    })
}

/// Borrows a C name that must be an identifier.
///
/// # Safety
/// As `c_str`.
unsafe fn name<'a>(p: *const c_char) -> Result<&'a str, exp_rs_status> {
    // SAFETY: forwarded.
    let s = unsafe { c_str(p) }?;
    if is_identifier(s) {
        Ok(s)
    } else {
        Err(exp_rs_status::InvalidName)
    }
}

/// Creates a context with every built-in function of the language and the
/// constants `pi`, `e` and `tau`. Allocates (its tables); returns NULL only
/// if that fails. Free with `exp_rs_context_free`.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_context_new() -> *mut ExpRsContext {
    boundary(core::ptr::null_mut(), || new_context(Context::new()))
}

/// Creates a context with no functions and no constants. Free with
/// `exp_rs_context_free`.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_context_new_empty() -> *mut ExpRsContext {
    boundary(core::ptr::null_mut(), || new_context(Context::empty()))
}

/// Releases a context. NULL does nothing. If batch builders are bound to
/// it, the memory is freed when the last of them is freed; either way the
/// caller must not use `ctx` again (freeing twice is undefined).
///
/// # Safety
/// `ctx` is NULL or a live pointer from `exp_rs_context_new*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_free(ctx: *mut ExpRsContext) {
    boundary((), || {
        if ctx.is_null() {
            return;
        }
        // SAFETY: a live context, per the contract.
        let in_use = unsafe {
            let c = &*ctx;
            c.released.set(true);
            c.users.get() > 0
        };
        if !in_use {
            // SAFETY: unused and given up by its owner.
            drop(unsafe { Box::from_raw(ctx) });
        }
    })
}

/// Binds (or rebinds) the constant `name` to `value`. Constants are folded
/// into programs when they are compiled. Allocates (the table entry).
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME` (not an
/// identifier), `CONTEXT_IN_USE` (a batch builder is bound to it).
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
        Ok(n) => {
            c.set_constant(n, value);
            exp_rs_status::Ok
        }
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
/// `INVALID_NAME`, `CONTEXT_IN_USE`.
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
        c.add_function(
            n,
            to_arity(arity, variadic),
            move |args: &[exp_rs_real]| {
                let data = data;
                // SAFETY: the caller of `add_function` promised `f` may be
                // called with `user_data`; `args` is a valid slice.
                unsafe { f(data.0, args.as_ptr(), args.len()) }
            },
        );
        exp_rs_status::Ok
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
        c.add_fallible_function(
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
        );
        exp_rs_status::Ok
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
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `CONTEXT_IN_USE`, and the syntax
/// and name errors of the definition, with a span into it (see
/// `exp_rs_context_last_error` and `exp_rs_context_last_error_message`).
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
        match c.add_expression_function(def) {
            Ok(()) => exp_rs_status::Ok,
            Err(e) => {
                last.with_text(e, usize::MAX, def);
                exp_rs_status::from(e)
            }
        }
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Binds (or rebinds) the array `name` (for `name[i]`) to a copy of the
/// `n` values at `values` (`values` may be NULL when `n` is 0). Allocates.
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME`,
/// `CONTEXT_IN_USE`.
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
            Ok(v) => {
                c.add_array(n_, v);
                exp_rs_status::Ok
            }
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
/// `INVALID_NAME` (object or field), `CONTEXT_IN_USE`.
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
        let mut pairs: Vec<(&str, exp_rs_real)> = Vec::with_capacity(n);
        for (&f, &v) in names.iter().zip(vals) {
            match name_arg(f) {
                Ok(field) => pairs.push((field, v)),
                Err(e) => return e,
            }
        }
        c.add_object(object, &pairs);
        exp_rs_status::Ok
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
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        match unsafe { c_str(name) } {
            Ok(n) if c.remove(n) => exp_rs_status::Ok,
            Ok(_) => exp_rs_status::NotFound,
            Err(e) => e,
        }
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
}

/// Sets the limits every compile with this context obeys: the deepest
/// nesting (default 256), the longest source in bytes (default 65536), the
/// deepest chain of expression-function calls at evaluation time (default
/// 256) and the most expression-function calls in one evaluation (default
/// 1000000, which bounds its running time). Deeper or longer input fails
/// with `TOO_DEEP`, `TOO_LONG` or `RECURSION_LIMIT`, never with a crash. Errors: `NULL_POINTER`,
/// `CONTEXT_IN_USE`. No allocation.
///
/// # Safety
/// `ctx` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_context_set_limits(
    ctx: *mut ExpRsContext,
    max_depth: u32,
    max_len: u32,
    max_calls: u32,
    max_total_calls: u32,
) -> exp_rs_status {
    let f = |c: &mut Context<exp_rs_real>, _: &mut LastError| {
        c.set_limits(Limits {
            max_depth,
            max_len,
            max_calls,
            max_total_calls,
        });
        exp_rs_status::Ok
    };
    // SAFETY: forwarded contract.
    unsafe { modify(ctx, f) }
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
