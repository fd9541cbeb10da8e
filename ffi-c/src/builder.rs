//! `ExpRsBatchBuilder`: the seed's batch builder — expressions compiled
//! into an arena against a context, sharing one set of parameters,
//! evaluated together with zero allocations. A thin wrapper of
//! `exp_rs::Batch`.

use alloc::boxed::Box;
use core::cell::RefCell;
use core::ffi::c_char;

use exp_rs::Batch;
use exp_rs::fallible::try_box;

use crate::arena::{ArenaHold, ExpRsArena};
use crate::context::ExpRsContext;
use crate::error::{LastError, Source, exp_rs_error, from_core};
use crate::exp_rs_real;
use crate::guard::boundary;
use crate::status::exp_rs_status;
use crate::text::{c_str, slice, write_text};

/// Expressions sharing one set of parameters, compiled into an arena and
/// evaluated together. Opaque; create with `exp_rs_batch_builder_new` or
/// `exp_rs_batch_builder_new_with_arena`, release with
/// `exp_rs_batch_builder_free`.
pub struct ExpRsBatchBuilder {
    /// The `RefCell` turns re-entry (a native callback using the builder
    /// that is evaluating it) into `REENTRANT`.
    inner: RefCell<Inner>,
    /// Declared after `inner`, so dropped after the batch that borrows the
    /// arena for "`'static`" (really: as long as this hold).
    _arena: ArenaHold,
}

struct Inner {
    batch: Batch<'static, exp_rs_real>,
    /// The handle the batch was bound with (NULL until bound), for
    /// `CONTEXT_MISMATCH`. Only compared, never dereferenced.
    bound_to: *const ExpRsContext,
    last: LastError,
}

impl Inner {
    /// Binds to `ctx` (a clone of it as it is now) and compiles what was
    /// added; on a bound builder, `CONTEXT_MISMATCH` for another handle,
    /// else the bind error, if any.
    fn bind(&mut self, ctx: &ExpRsContext) -> exp_rs_status {
        if self.batch.is_bound() {
            if !core::ptr::eq(self.bound_to, ctx) {
                return exp_rs_status::ContextMismatch;
            }
            return self
                .batch
                .bind_error()
                .map_or(exp_rs_status::Ok, |(_, e)| e.into());
        }
        match self.batch.bind(ctx.get()) {
            Ok(()) => {
                self.bound_to = ctx;
                exp_rs_status::Ok
            }
            // Still unbound: the heap could not hold the context's clone.
            Err(_) if !self.batch.is_bound() => exp_rs_status::OutOfMemory,
            Err((i, e)) => {
                self.bound_to = ctx;
                let src = self.batch.source(i).unwrap_or("");
                self.last.with_text(e, i, src);
                e.into()
            }
        }
    }

    /// The source text of the last error, if any.
    fn error_source(&self) -> Option<&str> {
        match self.last.source {
            Source::Text => self.last.text(),
            Source::Expr(i) => self.batch.source(i),
            Source::None => None,
        }
    }

    /// `NOT_BOUND` before binding, for what only exists after it.
    fn bound(&self) -> Result<&Batch<'static, exp_rs_real>, exp_rs_status> {
        if self.batch.is_bound() {
            Ok(&self.batch)
        } else {
            Err(exp_rs_status::NotBound)
        }
    }

    /// `NOT_BOUND` before binding when expressions wait to be compiled
    /// (their names, and so the parameters, are not known yet).
    fn params_known(&self) -> Result<&Batch<'static, exp_rs_real>, exp_rs_status> {
        if self.batch.is_bound() || self.batch.is_empty() {
            Ok(&self.batch)
        } else {
            Err(exp_rs_status::NotBound)
        }
    }
}

/// Runs `f` on a builder: NULL is refused, re-entry is `REENTRANT`, and a
/// C-door failure is recorded as the builder's last error (engine errors
/// are recorded by `f` itself, with their source).
///
/// # Safety
/// `builder` is NULL or a live pointer from `exp_rs_batch_builder_new*`.
unsafe fn with_builder(
    builder: *const ExpRsBatchBuilder,
    f: impl FnOnce(&mut Inner) -> exp_rs_status,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(b) = (unsafe { builder.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        let Ok(mut inner) = b.inner.try_borrow_mut() else {
            return exp_rs_status::Reentrant;
        };
        let status = f(&mut inner);
        if status != exp_rs_status::Ok && status.kind().is_none() {
            inner.last.status(status);
        }
        status
    })
}

/// Writes `v` to `out` (checked for NULL) on `Ok`.
fn put<T>(out: *mut T, v: Result<T, exp_rs_status>) -> exp_rs_status {
    match v {
        _ if out.is_null() => exp_rs_status::NullPointer,
        Ok(v) => {
            // SAFETY: non-NULL, and every caller's contract says writable.
            unsafe { out.write(v) };
            exp_rs_status::Ok
        }
        Err(e) => e,
    }
}

/// The builder, or NULL if the heap cannot hold it (nothing is kept).
fn new_builder(arena: &ExpRsArena, ctx: Option<&ExpRsContext>) -> *mut ExpRsBatchBuilder {
    let arena = ArenaHold::new(arena);
    // SAFETY: the batch is stored next to the hold, which is dropped after it.
    let bump = unsafe { arena.bump() };
    let (batch, bound_to) = match ctx {
        None => (Batch::unbound(bump), core::ptr::null()),
        Some(c) => match Batch::try_new(c.get(), bump) {
            Ok(batch) => (batch, c as *const _),
            Err(_) => return core::ptr::null_mut(),
        },
    };
    try_box(ExpRsBatchBuilder {
        inner: RefCell::new(Inner {
            batch,
            bound_to,
            last: LastError::new(),
        }),
        _arena: arena,
    })
    .map_or(core::ptr::null_mut(), Box::into_raw)
}

/// Creates a batch builder that compiles into `arena` against `ctx`: every
/// `exp_rs_batch_builder_add_expression` is compiled at once, so its errors
/// and its parameters' indices are known immediately. The recommended form.
///
/// The builder keeps the context as it is now (a cheap clone): later
/// changes to `ctx` apply to builders bound later, and `ctx` may be freed
/// while the builder lives. The arena stays allocated and cannot be reset
/// while the builder exists (freeing it only takes effect when its last
/// builder is freed). Returns NULL if `arena` or `ctx` is NULL, or if the
/// heap cannot hold the builder or the context's clone. Allocates the builder (heap); free it
/// with `exp_rs_batch_builder_free`.
///
/// # Safety
/// `arena` and `ctx` are NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_new(
    arena: *mut ExpRsArena,
    ctx: *const ExpRsContext,
) -> *mut ExpRsBatchBuilder {
    boundary(core::ptr::null_mut(), || {
        // SAFETY: NULL or live, per the contract.
        match unsafe { (arena.as_ref(), ctx.as_ref()) } {
            (Some(a), Some(c)) => new_builder(a, Some(c)),
            _ => core::ptr::null_mut(),
        }
    })
}

/// Creates a batch builder that compiles into `arena` and is bound to a
/// context later (the seed's constructor): by the first
/// `exp_rs_batch_builder_eval` or by `exp_rs_batch_builder_bind`.
///
/// Until then, `exp_rs_batch_builder_add_expression` checks the syntax and
/// keeps the source (in the arena); `exp_rs_batch_builder_set_param`
/// records values by index (indices past any parameter the expressions
/// could introduce are `BAD_INDEX`; values for indices binding does not
/// create are dropped); names and their indices are resolved when the
/// builder is bound, under the context's limits, so compile errors (an
/// unknown function, say) are reported then. Binding compiles into the
/// arena (allocating): bind before a real-time loop to keep allocation out
/// of it. Returns NULL if `arena` is NULL, or if the heap cannot hold the
/// builder. Free with `exp_rs_batch_builder_free`.
///
/// # Safety
/// `arena` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_new_with_arena(
    arena: *mut ExpRsArena,
) -> *mut ExpRsBatchBuilder {
    boundary(core::ptr::null_mut(), || {
        // SAFETY: NULL or live, per the contract.
        match unsafe { arena.as_ref() } {
            Some(a) => new_builder(a, None),
            None => core::ptr::null_mut(),
        }
    })
}

/// Frees a batch builder and its heap memory (its arena memory is reused
/// after `exp_rs_arena_reset`). Releases its hold on the arena, freeing it
/// if its owner already did. NULL does nothing; freeing twice is undefined.
/// A call from inside the builder's own evaluation (a native callback) is
/// ignored.
///
/// # Safety
/// `builder` is NULL or a live pointer from `exp_rs_batch_builder_new*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_free(builder: *mut ExpRsBatchBuilder) {
    boundary((), || {
        // SAFETY: NULL or live, per the contract.
        let Some(b) = (unsafe { builder.as_ref() }) else {
            return;
        };
        if b.inner.try_borrow_mut().is_err() {
            return;
        }
        // SAFETY: live, not borrowed, and the caller gives it up.
        drop(unsafe { Box::from_raw(builder) });
    })
}

/// Binds an unbound builder to `ctx` now (a clone of it as it is now),
/// compiling the expressions added so far (see
/// `exp_rs_batch_builder_new_with_arena`); returns their first compile
/// error, if any, which then sticks (every later evaluation returns it).
/// Binding a bound builder again with the same handle does nothing.
///
/// Errors: `NULL_POINTER`, `CONTEXT_MISMATCH` (bound with another context
/// handle), `OUT_OF_MEMORY` (the heap cannot hold the context's clone; the
/// builder stays unbound, unchanged, and binding can be tried again), and
/// compile errors (see `exp_rs_batch_builder_last_error`).
///
/// # Safety
/// `builder` and `ctx` are NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_bind(
    builder: *mut ExpRsBatchBuilder,
    ctx: *const ExpRsContext,
) -> exp_rs_status {
    // SAFETY: NULL or live, per the contract.
    let f = |inner: &mut Inner| match unsafe { ctx.as_ref() } {
        Some(c) => inner.bind(c),
        None => exp_rs_status::NullPointer,
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Adds an expression; it gets the next index (0, 1, 2, … in order of
/// successful adds). Names it uses that the context does not bind become
/// parameters, in order of first appearance (`"x * sin(y) + z"`: x = 0,
/// y = 1, z = 2), after any declared with `exp_rs_batch_builder_add_param`.
/// Checked under the context's limits (before binding: syntax only).
/// Allocates: in the arena (tree, program, stack; `ARENA_FULL` when it is
/// full) and on the heap (a few small vectors, and a temporary arena the
/// expression is first compiled into, freed before the call returns).
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, the syntax and compile errors
/// with their span (see `exp_rs_batch_builder_last_error`), and the
/// builder's compile error if binding failed. A failed add changes nothing,
/// whatever the failure: neither the builder (expressions, parameters) nor,
/// in a fixed or capped arena, the arena's used bytes (a growable one skips
/// the temporary arena). The compile into the temporary arena reports any
/// error and measures the cost; the arena must then have that much free
/// (plus 32 bytes for alignment; a capped arena may grow within its cap)
/// or the add is `ARENA_FULL` without touching it.
///
/// # Safety
/// `builder` is NULL or live; `src` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_add_expression(
    builder: *mut ExpRsBatchBuilder,
    src: *const c_char,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let src = match unsafe { c_str(src) } {
            Ok(s) => s,
            Err(e) => return e,
        };
        // After a failed bind core returns that error (indices would shift).
        match inner.batch.add_expression(src) {
            Ok(_) => exp_rs_status::Ok,
            Err(e) => {
                inner.last.with_text(e, inner.batch.len(), src);
                e.into()
            }
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Adds the derivative of expression `expr` with respect to the parameter
/// `param` as a new expression of the builder (simplified, compiled into
/// its arena like any other, evaluated with the rest) and writes its index
/// to `*index`. This is how firmware gets a Jacobian in the same batch.
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `NOT_BOUND` (an unbound builder
/// has no functions to differentiate yet), `BAD_INDEX` (no expression
/// `expr`), `UNKNOWN_VARIABLE` (`param` is not a parameter),
/// `NOT_DIFFERENTIABLE`, `TOO_DEEP`, `ARENA_FULL`, and the errors of
/// `exp_rs_batch_builder_add_expression`. A failed add changes nothing.
/// Allocates (a scratch arena on the heap, then the arena).
///
/// # Safety
/// `builder` is NULL or live; `param` is NULL or NUL-terminated; `index` is
/// NULL or writable.
#[cfg(feature = "symbolic")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_add_derivative(
    builder: *mut ExpRsBatchBuilder,
    expr: usize,
    param: *const c_char,
    index: *mut usize,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let param = match unsafe { c_str(param) } {
            Ok(p) => p,
            Err(e) => return e,
        };
        if index.is_null() {
            return exp_rs_status::NullPointer;
        }
        if !inner.batch.is_bound() {
            return exp_rs_status::NotBound;
        }
        let Some(src) = inner.batch.source(expr) else {
            return exp_rs_status::BadIndex;
        };
        match inner.batch.add_derivative(expr, param) {
            Ok(i) => put(index, Ok(i)),
            Err(e) => {
                inner.last.with_text(e, expr, src);
                e.into()
            }
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Declares the parameter `name` with an initial value and writes its index
/// to `*index` (may be NULL). A name already declared keeps its index and
/// takes the new value. Declared parameters come before the names that
/// expressions introduce (on an unbound builder too).
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME`, `ARENA_FULL`
/// (the arena, or the heap for the values list, is full; nothing changed).
/// Allocates (the name in the arena; room for its value on the heap).
///
/// # Safety
/// `builder` is NULL or live; `name` is NULL or NUL-terminated; `index` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_add_param(
    builder: *mut ExpRsBatchBuilder,
    name: *const c_char,
    value: exp_rs_real,
    index: *mut usize,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let n = match unsafe { crate::text::name(name) } {
            Ok(n) => n,
            Err(e) => return e,
        };
        match inner.batch.add_param(n, value) {
            Ok(_) if index.is_null() => exp_rs_status::Ok,
            Ok(i) => put(index, Ok(i)),
            Err(e) => {
                inner.last.with_text(e, usize::MAX, n);
                e.into()
            }
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Writes the index of parameter `name` to `*index`. `NOT_FOUND` if there is
/// no such parameter; `NOT_BOUND` if the builder is not bound yet, has
/// expressions and the name was not declared (its index is not known yet).
/// No allocation.
///
/// # Safety
/// `builder` is NULL or live; `name` is NULL or NUL-terminated; `index` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_param_index(
    builder: *const ExpRsBatchBuilder,
    name: *const c_char,
    index: *mut usize,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let name = match unsafe { c_str(name) } {
            Ok(n) => n,
            Err(e) => return e,
        };
        let found = inner.batch.param_index(name).ok_or(exp_rs_status::NotFound);
        put(index, found.or_else(|e| inner.params_known().and(Err(e))))
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Writes the number of parameters to `*count`. `NOT_BOUND` for a builder
/// that is not bound yet and has expressions (their names are not resolved
/// yet). No allocation.
///
/// # Safety
/// `builder` is NULL or live; `count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_param_count(
    builder: *const ExpRsBatchBuilder,
    count: *mut usize,
) -> exp_rs_status {
    let f = |inner: &mut Inner| put(count, inner.params_known().map(|b| b.param_names().len()));
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Copies the name of parameter `index` into `buf` (as in
/// `exp_rs_error_render`: always NUL-terminated when `len > 0`, `needed`
/// may be NULL and receives the size including the NUL). `BAD_INDEX` if
/// there is no such parameter; `NOT_BOUND` if it is not known yet.
///
/// # Safety
/// `builder` is NULL or live; `buf` is NULL or writable for `len` bytes;
/// `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_param_name(
    builder: *const ExpRsBatchBuilder,
    index: usize,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> exp_rs_status {
    let f = |inner: &mut Inner| match inner.batch.param_names().get(index).copied() {
        // SAFETY: the caller's promise about buf, len and needed.
        Some(n) => unsafe { write_text(buf, len, needed, |w| w.push_str(n)) },
        None => inner
            .params_known()
            .map_or_else(|e| e, |_| exp_rs_status::BadIndex),
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Sets parameter `index` to `value`. On a builder that is not bound yet,
/// the value is kept and applied when it is bound. `BAD_INDEX` if there is
/// no such parameter (for an unbound builder: when the index is past every
/// possible parameter). No allocation on a bound builder.
///
/// # Safety
/// `builder` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_set_param(
    builder: *mut ExpRsBatchBuilder,
    index: usize,
    value: exp_rs_real,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        if inner.batch.set_param(index, value) {
            exp_rs_status::Ok
        } else {
            exp_rs_status::BadIndex
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Sets parameters 0 … n-1 from `values` (`values` may be NULL when `n` is
/// 0). `BAD_INDEX` (and nothing set) if `n` is more than the parameters.
/// No allocation on a bound builder.
///
/// # Safety
/// `builder` is NULL or live; `values` is NULL or points to `n` values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_set_params(
    builder: *mut ExpRsBatchBuilder,
    values: *const exp_rs_real,
    n: usize,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        // SAFETY: NULL or `n` values, per the contract.
        let values = match unsafe { slice(values, n) } {
            Ok(v) => v,
            Err(e) => return e,
        };
        // The last index first: if it exists, they all do.
        if let Some(&v) = values.last()
            && !inner.batch.set_param(n - 1, v)
        {
            return exp_rs_status::BadIndex;
        }
        inner.batch.set_params(values);
        exp_rs_status::Ok
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Writes the current value of parameter `index` to `*out`. `BAD_INDEX` if
/// there is no such parameter, `NOT_BOUND` for an unbound builder. No
/// allocation.
///
/// # Safety
/// `builder` is NULL or live; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_param(
    builder: *const ExpRsBatchBuilder,
    index: usize,
    out: *mut exp_rs_real,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        let v = inner
            .bound()
            .and_then(|b| b.param(index).ok_or(exp_rs_status::BadIndex));
        put(out, v)
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Evaluates every expression with the current parameters; read the values
/// with `exp_rs_batch_builder_result(s)`.
///
/// `ctx` is the context handle the builder was bound with, or NULL for
/// "the bound one"; another handle is `CONTEXT_MISMATCH`. The builder
/// evaluates with the context as it was when bound (even if the handle was
/// changed or freed since). An unbound builder is first bound to `ctx`
/// (see `exp_rs_batch_builder_bind`; NULL is then `NOT_BOUND`), which
/// compiles and allocates, once (`OUT_OF_MEMORY` if the heap runs out: it
/// stays unbound, and the call can be made again).
///
/// On a bound builder this **allocates nothing** and cannot panic. An
/// expression that fails (`INDEX_OUT_OF_BOUNDS`, `RECURSION_LIMIT`,
/// `STEP_LIMIT`, `CALLBACK`) gets NaN as its result and its error in
/// `exp_rs_batch_builder_expression_error`; the others are still evaluated;
/// the first error is returned and becomes the last error.
///
/// # Safety
/// `builder` and `ctx` are NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_eval(
    builder: *mut ExpRsBatchBuilder,
    ctx: *const ExpRsContext,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        // SAFETY: NULL or live, per the contract.
        match unsafe { ctx.as_ref() } {
            Some(c) => {
                let status = inner.bind(c);
                if status != exp_rs_status::Ok {
                    return status;
                }
            }
            None if !inner.batch.is_bound() => return exp_rs_status::NotBound,
            None => {}
        }
        match inner.batch.eval() {
            Ok(()) => exp_rs_status::Ok,
            Err(e) => {
                let i = (0..inner.batch.len())
                    .find(|&i| inner.batch.error(i).is_some())
                    .unwrap_or(usize::MAX);
                inner.last.in_expression(e, i);
                e.into()
            }
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Writes the result of expression `index` from the last evaluation to
/// `*out` (NaN before the first evaluation or if it failed). `BAD_INDEX` if
/// there is no such expression, `NOT_BOUND` for an unbound builder. No
/// allocation.
///
/// # Safety
/// `builder` is NULL or live; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_result(
    builder: *const ExpRsBatchBuilder,
    index: usize,
    out: *mut exp_rs_real,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        let v = inner
            .bound()
            .and_then(|b| b.result(index).ok_or(exp_rs_status::BadIndex));
        put(out, v)
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Copies every result, in expression order, into `out` (room for `len`
/// values) and writes their number to `*written` (may be NULL).
/// `BUFFER_TOO_SMALL` (and nothing written) if `len` is less than the
/// number of expressions. `out` may be NULL when `len` is 0. No allocation.
///
/// # Safety
/// `builder` is NULL or live; `out` is NULL or writable for `len` values;
/// `written` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_results(
    builder: *const ExpRsBatchBuilder,
    out: *mut exp_rs_real,
    len: usize,
    written: *mut usize,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        let results = match inner.bound() {
            Ok(b) => b.results(),
            Err(e) => return e,
        };
        if len < results.len() {
            return exp_rs_status::BufferTooSmall;
        }
        if !results.is_empty() {
            if out.is_null() {
                return exp_rs_status::NullPointer;
            }
            // SAFETY: `out` is writable for `len >= results.len()`
            // values and cannot overlap the builder's own memory.
            unsafe { core::ptr::copy_nonoverlapping(results.as_ptr(), out, results.len()) };
        }
        if !written.is_null() {
            // SAFETY: non-NULL and writable, per the contract.
            unsafe { written.write(results.len()) };
        }
        exp_rs_status::Ok
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Writes the number of expressions added so far to `*count`. No
/// allocation.
///
/// # Safety
/// `builder` is NULL or live; `count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_expression_count(
    builder: *const ExpRsBatchBuilder,
    count: *mut usize,
) -> exp_rs_status {
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, |inner| put(count, Ok(inner.batch.len()))) }
}

/// Writes the error of expression `index` from the last evaluation to
/// `*out` (status `EXP_RS_STATUS_OK` if it succeeded). `BAD_INDEX` if there
/// is no such expression, `NOT_BOUND` for an unbound builder. No
/// allocation.
///
/// # Safety
/// `builder` is NULL or live; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_expression_error(
    builder: *const ExpRsBatchBuilder,
    index: usize,
    out: *mut exp_rs_error,
) -> exp_rs_status {
    let f = |inner: &mut Inner| {
        let e = inner.bound().and_then(|b| match b.error(index) {
            _ if index >= b.len() => Err(exp_rs_status::BadIndex),
            Some(e) => Ok(from_core(e, index)),
            None => Ok(exp_rs_error {
                expression: index,
                ..exp_rs_error::NONE
            }),
        });
        put(out, e)
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Copies the last failure of a call on this builder into `*out` (status
/// `EXP_RS_STATUS_OK` if none failed yet): its status, the span into the
/// expression's source and the expression's index. It stays until the next
/// failure. No allocation.
///
/// # Safety
/// `builder` is NULL or live; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_last_error(
    builder: *const ExpRsBatchBuilder,
    out: *mut exp_rs_error,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(b) = (unsafe { builder.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        if out.is_null() {
            return exp_rs_status::NullPointer;
        }
        let Ok(inner) = b.inner.try_borrow() else {
            return exp_rs_status::Reentrant;
        };
        // SAFETY: non-NULL and writable, per the contract.
        unsafe { out.write(inner.last.error) };
        exp_rs_status::Ok
    })
}

/// Writes the message of the last failure on this builder into `buf`: for
/// an engine error, the caret rendering (the source line, a newline, a
/// caret under the offending text and the message, e.g.
/// `"sin(x +* 2)\n       ^ expected an operand, found `*`"`); otherwise
/// the status message; `"success"` if nothing failed. `buf`, `len` and
/// `needed` work as in `exp_rs_error_render`. No allocation.
///
/// # Safety
/// `builder` is NULL or live; `buf` is NULL or writable for `len` bytes;
/// `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_last_error_message(
    builder: *const ExpRsBatchBuilder,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(b) = (unsafe { builder.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        let Ok(inner) = b.inner.try_borrow() else {
            return exp_rs_status::Reentrant;
        };
        let src = inner.error_source();
        // SAFETY: the caller's promise about buf, len and needed.
        unsafe {
            write_text(buf, len, needed, |w| {
                crate::error::render(&inner.last.error, src, w)
            })
        }
    })
}
