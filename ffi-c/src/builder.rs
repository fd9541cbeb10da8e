//! `ExpRsBatchBuilder`: the seed's batch builder — expressions compiled
//! into an arena against a context, sharing one set of parameters,
//! evaluated together with zero allocations.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::ffi::c_char;
use core::fmt::Write;
use core::ptr::NonNull;

use bumpalo::Bump;
use exp_rs::{AstKind, Batch, Limits};

use crate::arena::ExpRsArena;
use crate::context::ExpRsContext;
use crate::error::{LastError, Source, exp_rs_error, from_core};
use crate::exp_rs_real;
use crate::guard::boundary;
use crate::status::exp_rs_status;
use crate::text::{c_str, is_identifier, slice, write_text};

/// Expressions sharing one set of parameters, compiled into an arena and
/// evaluated together. Opaque; create with `exp_rs_batch_builder_new` or
/// `exp_rs_batch_builder_new_with_arena`, release with
/// `exp_rs_batch_builder_free`.
pub struct ExpRsBatchBuilder {
    /// The arena, kept alive by this builder's `acquire` (see `Drop`).
    arena: NonNull<ExpRsArena>,
    /// Everything else; the `RefCell` turns re-entry (a native callback
    /// using the builder that is evaluating it) into an error.
    inner: RefCell<Inner>,
}

struct Inner {
    state: State,
    last: LastError,
}

enum State {
    /// Made by `new_with_arena` and not bound to a context yet.
    Unbound(Pending),
    /// Compiling against a context.
    Bound(Bound),
}

/// What an unbound builder keeps until it is bound: copies of the sources
/// (checked for syntax when added) and of the parameters set.
#[derive(Default)]
struct Pending {
    /// Parameters declared with `add_param` (before any expression).
    declared: Vec<(String, exp_rs_real)>,
    sources: Vec<String>,
    /// Values set with `set_param`, by index, applied after binding.
    values: Vec<Option<exp_rs_real>>,
    /// An upper bound of the parameter count: declared names plus every
    /// name used as a value in the sources.
    max_params: usize,
}

struct Bound {
    /// The context, kept alive by this builder's `acquire` (see `Drop`).
    ctx: NonNull<ExpRsContext>,
    /// Borrows the arena and the context for "`'static`": really for as
    /// long as this builder holds its `acquire` on both, which `Drop`
    /// releases only after dropping the batch.
    batch: Batch<'static, exp_rs_real>,
    /// Set when binding failed to compile a pending expression: every
    /// later evaluation reports it (indices would otherwise shift).
    broken: Option<exp_rs_error>,
}

impl Drop for ExpRsBatchBuilder {
    fn drop(&mut self) {
        let state = core::mem::replace(
            &mut self.inner.get_mut().state,
            State::Unbound(Pending::default()),
        );
        let ctx = match &state {
            State::Bound(b) => Some(b.ctx),
            State::Unbound(_) => None,
        };
        // The batch goes first: after this nothing points into the arena
        // or the context.
        drop(state);
        if let Some(c) = ctx {
            // SAFETY: bound builders hold one `acquire` on their context,
            // which keeps it allocated; no reference into it remains.
            unsafe { ExpRsContext::release(c.as_ptr()) };
        }
        // SAFETY: every builder holds one `acquire` on its arena.
        unsafe { ExpRsArena::release(self.arena.as_ptr()) };
    }
}

impl Inner {
    /// Compiles the pending expressions against `ctx` into `arena`.
    fn bind(&mut self, arena: &'static Bump, ctx: NonNull<ExpRsContext>) -> exp_rs_status {
        let State::Unbound(pending) = &mut self.state else {
            return exp_rs_status::Ok;
        };
        let pending = core::mem::take(pending);
        // SAFETY: the caller checked `ctx` is non-NULL, and C promises it is
        // live. `acquire` keeps it allocated and unchanged (modifications
        // are refused while bound) until `Drop` releases it after dropping
        // the batch, so the reference is valid for the batch's whole life.
        let c: &'static ExpRsContext = unsafe { &*ctx.as_ptr() };
        c.acquire();
        let mut batch = Batch::new(c.ctx(), arena);
        let mut broken = None;
        for (name, value) in &pending.declared {
            if let Err(e) = batch.add_param(name, *value) {
                self.last.with_text(e, usize::MAX, name);
                broken = Some(from_core(e, usize::MAX));
                break;
            }
        }
        for (i, src) in pending.sources.iter().enumerate() {
            if broken.is_some() {
                break;
            }
            if let Err(e) = batch.add_expression(src) {
                self.last.with_text(e, i, src);
                broken = Some(from_core(e, i));
            }
        }
        let mut status = broken.map_or(exp_rs_status::Ok, |b| status_of(&b));
        if broken.is_none() {
            for (i, v) in pending.values.iter().enumerate() {
                if let Some(v) = v
                    && !batch.set_param(i, *v)
                {
                    status = exp_rs_status::BadIndex;
                }
            }
        }
        self.state = State::Bound(Bound { ctx, batch, broken });
        status
    }

    /// The source text of the last error, if any.
    fn error_source(&self) -> Option<&str> {
        match (self.last.source, &self.state) {
            (Source::Text, _) => self.last.text(),
            (Source::Expr(i), State::Bound(b)) => b.batch.source(i),
            _ => None,
        }
    }
}

fn status_of(e: &exp_rs_error) -> exp_rs_status {
    exp_rs_status::from_code(e.status).unwrap_or(exp_rs_status::Error)
}

/// Runs `f` on a builder: NULL is refused, re-entry is `REENTRANT`, and a
/// C-door failure is recorded as the builder's last error (engine errors
/// are recorded by `f` itself, with their source).
///
/// # Safety
/// `builder` is NULL or a live pointer from `exp_rs_batch_builder_new*`.
unsafe fn with_builder(
    builder: *const ExpRsBatchBuilder,
    f: impl FnOnce(&mut Inner, &'static Bump) -> exp_rs_status,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: NULL or live, per the contract.
        let Some(b) = (unsafe { builder.as_ref() }) else {
            return exp_rs_status::NullPointer;
        };
        let Ok(mut inner) = b.inner.try_borrow_mut() else {
            return exp_rs_status::Reentrant;
        };
        // SAFETY: the builder holds an `acquire` on its arena, which keeps
        // it allocated and unreset until `Drop` (after the batch is gone).
        let arena: &'static Bump = unsafe { &*b.arena.as_ptr() }.bump();
        let status = f(&mut inner, arena);
        if status != exp_rs_status::Ok && status.kind().is_none() {
            inner.last.status(status);
        }
        status
    })
}

fn new_builder(arena: &ExpRsArena, state: State) -> *mut ExpRsBatchBuilder {
    arena.acquire();
    Box::into_raw(Box::new(ExpRsBatchBuilder {
        arena: NonNull::from(arena),
        inner: RefCell::new(Inner {
            state,
            last: LastError::new(),
        }),
    }))
}

/// Creates a batch builder that compiles into `arena` against `ctx`: every
/// `exp_rs_batch_builder_add_expression` is compiled at once, so its errors
/// and its parameters' indices are known immediately. The recommended form.
///
/// The arena and the context must stay allocated while the builder exists;
/// they do: freeing either only takes effect when its last builder is
/// freed. While the builder exists the arena cannot be reset and the
/// context cannot be changed. Returns NULL if `arena` or `ctx` is NULL.
/// Allocates the builder (heap); free it with `exp_rs_batch_builder_free`.
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
        let Some(a) = (unsafe { arena.as_ref() }) else {
            return core::ptr::null_mut();
        };
        let Some(c) = NonNull::new(ctx.cast_mut()) else {
            return core::ptr::null_mut();
        };
        let builder = new_builder(a, State::Unbound(Pending::default()));
        // SAFETY: just made, not shared; bind on an empty pending set
        // cannot fail.
        let inner = unsafe { &mut *builder }.inner.get_mut();
        // SAFETY: the arena is acquired by the new builder (see above).
        let bump: &'static Bump = unsafe { &*arena }.bump();
        inner.bind(bump, c);
        builder
    })
}

/// Creates a batch builder that compiles into `arena` and is bound to a
/// context later (the seed's constructor): by the first
/// `exp_rs_batch_builder_eval` or by `exp_rs_batch_builder_bind`.
///
/// Until then, `exp_rs_batch_builder_add_expression` checks the syntax and
/// keeps a copy of the source (heap); `exp_rs_batch_builder_set_param`
/// records values by index; names and their indices are resolved when the
/// builder is bound, so compile errors (an unknown function, say) and a bad
/// parameter index are reported then. Binding compiles into the arena
/// (allocating): bind before a real-time loop to keep allocation out of it.
/// Returns NULL if `arena` is NULL. Free with `exp_rs_batch_builder_free`.
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
            Some(a) => new_builder(a, State::Unbound(Pending::default())),
            None => core::ptr::null_mut(),
        }
    })
}

/// Frees a batch builder and its heap memory (its arena memory is reused
/// after `exp_rs_arena_reset`). Releases its hold on the arena and the
/// context, freeing them if their owners already did. NULL does nothing;
/// freeing twice is undefined. A call from inside the builder's own
/// evaluation (a native callback) is ignored.
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

/// Binds an unbound builder to `ctx` now, compiling the expressions added
/// so far (see `exp_rs_batch_builder_new_with_arena`); returns their first
/// compile error, if any, which then sticks (every later evaluation returns
/// it). Binding a bound builder to its own context does nothing.
///
/// Errors: `NULL_POINTER`, `CONTEXT_MISMATCH` (bound to another context),
/// `BAD_INDEX` (a value was set for a parameter index that does not
/// exist), and compile errors (see `exp_rs_batch_builder_last_error`).
///
/// # Safety
/// `builder` and `ctx` are NULL or live handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_bind(
    builder: *mut ExpRsBatchBuilder,
    ctx: *const ExpRsContext,
) -> exp_rs_status {
    let f = |inner: &mut Inner, arena: &'static Bump| {
        let Some(c) = NonNull::new(ctx.cast_mut()) else {
            return exp_rs_status::NullPointer;
        };
        match &inner.state {
            State::Bound(b) if b.ctx == c => b.broken.map_or(exp_rs_status::Ok, |e| status_of(&e)),
            State::Bound(_) => exp_rs_status::ContextMismatch,
            State::Unbound(_) => inner.bind(arena, c),
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Adds an expression; it gets the next index (0, 1, 2, … in order of
/// successful adds). Names it uses that the context does not bind become
/// parameters, in order of first appearance (`"x * sin(y) + z"`: x = 0,
/// y = 1, z = 2), after any declared with `exp_rs_batch_builder_add_param`.
/// Allocates: in the arena (tree, program, stack; `ARENA_FULL` when it is
/// full) and a little on the heap.
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, the syntax and compile errors
/// with their span (see `exp_rs_batch_builder_last_error`), and the
/// builder's compile error if binding failed. A failed add changes nothing.
///
/// # Safety
/// `builder` is NULL or live; `src` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_add_expression(
    builder: *mut ExpRsBatchBuilder,
    src: *const c_char,
) -> exp_rs_status {
    let f = |inner: &mut Inner, _: &'static Bump| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let src = match unsafe { c_str(src) } {
            Ok(s) => s,
            Err(e) => return e,
        };
        match &mut inner.state {
            State::Bound(b) => {
                if let Some(e) = b.broken {
                    return status_of(&e);
                }
                match b.batch.add_expression(src) {
                    Ok(_) => exp_rs_status::Ok,
                    Err(e) => {
                        inner.last.with_text(e, b.batch.len(), src);
                        e.into()
                    }
                }
            }
            State::Unbound(p) => {
                // Syntax only, in a scratch arena; names are resolved
                // when the builder is bound.
                let scratch = Bump::new();
                match exp_rs::parse(src, &scratch, &Limits::DEFAULT) {
                    Ok(ast) => {
                        let mut names = 0;
                        ast.walk(&mut |n| {
                            if matches!(n.kind, AstKind::Name(_)) {
                                names += 1;
                            }
                        });
                        p.max_params += names;
                        p.sources.push(String::from(src));
                        exp_rs_status::Ok
                    }
                    Err(e) => {
                        inner.last.with_text(e, p.sources.len(), src);
                        e.into()
                    }
                }
            }
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Declares the parameter `name` with an initial value and writes its index
/// to `*index` (may be NULL). A name already declared keeps its index and
/// takes the new value. On a builder that is not bound yet, parameters must
/// be declared before the first expression (else `NOT_BOUND`).
///
/// Errors: `NULL_POINTER`, `INVALID_UTF8`, `INVALID_NAME`, `NOT_BOUND`,
/// `ARENA_FULL`. Allocates (the name, in the arena).
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let name = match unsafe { c_str(name) } {
            Ok(n) if is_identifier(n) => n,
            Ok(_) => return exp_rs_status::InvalidName,
            Err(e) => return e,
        };
        let i = match &mut inner.state {
            State::Bound(b) => match b.batch.add_param(name, value) {
                Ok(i) => i,
                Err(e) => {
                    inner.last.with_text(e, usize::MAX, name);
                    return e.into();
                }
            },
            State::Unbound(p) => {
                if let Some(i) = p.declared.iter().position(|(n, _)| n == name) {
                    p.declared[i].1 = value;
                    if let Some(slot) = p.values.get_mut(i) {
                        *slot = None;
                    }
                    i
                } else if p.sources.is_empty() {
                    p.declared.push((String::from(name), value));
                    p.max_params += 1;
                    p.declared.len() - 1
                } else {
                    return exp_rs_status::NotBound;
                }
            }
        };
        if !index.is_null() {
            // SAFETY: non-NULL and writable, per the contract.
            unsafe { index.write(i) };
        }
        exp_rs_status::Ok
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Writes the index of parameter `name` to `*index`. `NOT_FOUND` if there is
/// no such parameter; `NOT_BOUND` if the builder is not bound yet and the
/// name was not declared (its index is not known yet). No allocation.
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        // SAFETY: NULL or NUL-terminated, per the contract.
        let name = match unsafe { c_str(name) } {
            Ok(n) => n,
            Err(e) => return e,
        };
        if index.is_null() {
            return exp_rs_status::NullPointer;
        }
        let found = match &inner.state {
            State::Bound(b) => b.batch.param_index(name).ok_or(exp_rs_status::NotFound),
            State::Unbound(p) => match p.declared.iter().position(|(n, _)| n == name) {
                Some(i) => Ok(i),
                None if p.sources.is_empty() => Err(exp_rs_status::NotFound),
                None => Err(exp_rs_status::NotBound),
            },
        };
        match found {
            Ok(i) => {
                // SAFETY: non-NULL and writable, per the contract.
                unsafe { index.write(i) };
                exp_rs_status::Ok
            }
            Err(e) => e,
        }
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        if count.is_null() {
            return exp_rs_status::NullPointer;
        }
        let n = match &inner.state {
            State::Bound(b) => b.batch.param_names().len(),
            State::Unbound(p) if p.sources.is_empty() => p.declared.len(),
            State::Unbound(_) => return exp_rs_status::NotBound,
        };
        // SAFETY: non-NULL and writable, per the contract.
        unsafe { count.write(n) };
        exp_rs_status::Ok
    };
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        let name = match &inner.state {
            State::Bound(b) => b.batch.param_names().get(index).copied(),
            State::Unbound(p) => match p.declared.get(index) {
                Some((n, _)) => Some(n.as_str()),
                None if p.sources.is_empty() => None,
                None => return exp_rs_status::NotBound,
            },
        };
        match name {
            // SAFETY: the caller's promise about buf, len and needed.
            Some(n) => unsafe { write_text(buf, len, needed, |w| w.write_str(n)) },
            None => exp_rs_status::BadIndex,
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Sets parameter `index` to `value`. On a builder that is not bound yet,
/// the value is kept and applied when it is bound. `BAD_INDEX` if there is
/// no such parameter (for an unbound builder: when the index is past every
/// possible parameter; otherwise binding reports it). No allocation on a
/// bound builder.
///
/// # Safety
/// `builder` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_set_param(
    builder: *mut ExpRsBatchBuilder,
    index: usize,
    value: exp_rs_real,
) -> exp_rs_status {
    // SAFETY: forwarded contract.
    unsafe {
        with_builder(builder, |inner, _| {
            set_param(&mut inner.state, index, value)
        })
    }
}

fn set_param(state: &mut State, index: usize, value: exp_rs_real) -> exp_rs_status {
    match state {
        State::Bound(b) => {
            if b.batch.set_param(index, value) {
                exp_rs_status::Ok
            } else {
                exp_rs_status::BadIndex
            }
        }
        State::Unbound(p) => {
            if index >= p.max_params {
                return exp_rs_status::BadIndex;
            }
            if p.values.len() <= index {
                p.values.resize(index + 1, None);
            }
            p.values[index] = Some(value);
            exp_rs_status::Ok
        }
    }
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        // SAFETY: NULL or `n` values, per the contract.
        let values = match unsafe { slice(values, n) } {
            Ok(v) => v,
            Err(e) => return e,
        };
        let limit = match &inner.state {
            State::Bound(b) => b.batch.param_names().len(),
            State::Unbound(p) => p.max_params,
        };
        if n > limit {
            return exp_rs_status::BadIndex;
        }
        for (i, &v) in values.iter().enumerate() {
            set_param(&mut inner.state, i, v);
        }
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        if out.is_null() {
            return exp_rs_status::NullPointer;
        }
        let State::Bound(b) = &inner.state else {
            return exp_rs_status::NotBound;
        };
        match b.batch.param(index) {
            Some(v) => {
                // SAFETY: non-NULL and writable, per the contract.
                unsafe { out.write(v) };
                exp_rs_status::Ok
            }
            None => exp_rs_status::BadIndex,
        }
    };
    // SAFETY: forwarded contract.
    unsafe { with_builder(builder, f) }
}

/// Evaluates every expression with the current parameters; read the values
/// with `exp_rs_batch_builder_result(s)`.
///
/// `ctx` is the context the builder is bound to, or NULL for "the bound
/// one"; another context is `CONTEXT_MISMATCH`. An unbound builder is first
/// bound to `ctx` (see `exp_rs_batch_builder_bind`; NULL is then
/// `NOT_BOUND`), which compiles and allocates, once.
///
/// On a bound builder this **allocates nothing** and cannot panic. An
/// expression that fails (`INDEX_OUT_OF_BOUNDS`, `RECURSION_LIMIT`,
/// `CALLBACK`) gets NaN as its result and its error in
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
    let f = |inner: &mut Inner, arena: &'static Bump| {
        if let State::Unbound(_) = inner.state {
            let Some(c) = NonNull::new(ctx.cast_mut()) else {
                return exp_rs_status::NotBound;
            };
            let status = inner.bind(arena, c);
            if status != exp_rs_status::Ok {
                return status;
            }
        }
        let State::Bound(b) = &mut inner.state else {
            return exp_rs_status::NotBound;
        };
        if !ctx.is_null() && !core::ptr::eq(ctx, b.ctx.as_ptr()) {
            return exp_rs_status::ContextMismatch;
        }
        if let Some(e) = b.broken {
            return status_of(&e);
        }
        match b.batch.eval() {
            Ok(()) => exp_rs_status::Ok,
            Err(e) => {
                let i = (0..b.batch.len())
                    .find(|&i| b.batch.error(i).is_some())
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        if out.is_null() {
            return exp_rs_status::NullPointer;
        }
        let State::Bound(b) = &inner.state else {
            return exp_rs_status::NotBound;
        };
        match b.batch.result(index) {
            Some(v) => {
                // SAFETY: non-NULL and writable, per the contract.
                unsafe { out.write(v) };
                exp_rs_status::Ok
            }
            None => exp_rs_status::BadIndex,
        }
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
    let f = |inner: &mut Inner, _: &'static Bump| {
        let State::Bound(b) = &inner.state else {
            return exp_rs_status::NotBound;
        };
        let results = b.batch.results();
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

/// The number of expressions added so far (0 for NULL). No allocation.
///
/// # Safety
/// `builder` is NULL or live.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_expression_count(
    builder: *const ExpRsBatchBuilder,
) -> usize {
    boundary(0, || {
        // SAFETY: NULL or live, per the contract.
        let Some(b) = (unsafe { builder.as_ref() }) else {
            return 0;
        };
        match b.inner.try_borrow().as_deref() {
            Ok(Inner {
                state: State::Bound(b),
                ..
            }) => b.batch.len(),
            Ok(Inner {
                state: State::Unbound(p),
                ..
            }) => p.sources.len(),
            Err(_) => 0,
        }
    })
}

/// Writes the error of expression `index` from the last evaluation to
/// `*out` (status `EXP_RS_STATUS_OK` if it succeeded). `BAD_INDEX` if there
/// is no such expression. No allocation.
///
/// # Safety
/// `builder` is NULL or live; `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_batch_builder_expression_error(
    builder: *const ExpRsBatchBuilder,
    index: usize,
    out: *mut exp_rs_error,
) -> exp_rs_status {
    let f = |inner: &mut Inner, _: &'static Bump| {
        if out.is_null() {
            return exp_rs_status::NullPointer;
        }
        let State::Bound(b) = &inner.state else {
            return exp_rs_status::NotBound;
        };
        if index >= b.batch.len() {
            return exp_rs_status::BadIndex;
        }
        let e = match b.batch.error(index) {
            Some(e) => from_core(e, index),
            None => exp_rs_error {
                expression: index,
                ..exp_rs_error::NONE
            },
        };
        // SAFETY: non-NULL and writable, per the contract.
        unsafe { out.write(e) };
        exp_rs_status::Ok
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
