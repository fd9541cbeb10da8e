//! [`Batch`]: many expressions over one shared set of parameters — the
//! seed's batch builder, and the shape firmware uses (7 expressions at
//! 1000 Hz).

use alloc::vec::Vec;

use crate::arena_vec::ArenaVec;
use bumpalo::Bump;

use crate::ast::AstKind;
use crate::compiler::{FreeNames, compile};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Span};
use crate::expr::arena_used;
use crate::fallible::{AllocError, try_fill, try_push};
use crate::parser::{Limits, parse};
use crate::program::{Program, Scratch, run_each};
use crate::real::Real;

/// Expressions compiled against shared parameters, evaluated together.
///
/// Parameters are declared with [`Batch::add_param`], or appear by
/// themselves: a name an expression uses that nothing else binds becomes
/// the next parameter, in order of first appearance. Setting up allocates
/// (in the arena, and a few small vectors on the heap); [`Batch::eval`]
/// allocates nothing.
///
/// A batch made with [`Batch::new`] compiles each expression as it is
/// added. One made with [`Batch::unbound`] has no context yet (the seed's
/// C flow, where the context comes with the first evaluation): it checks
/// each expression's syntax when added and compiles them all when
/// [`Batch::bind`] gives it a context. Either way the batch keeps a clone
/// of its context, as it was when bound.
///
/// A failed [`Batch::add_expression`] leaves the batch as it was, and in an
/// arena with an allocation limit (fixed or capped: the kind that can fill
/// up) the arena's used bytes too. To get there, each bound add into such
/// an arena first parses and compiles into a **temporary arena on the
/// heap** (a dry run, freed before it returns; about the expression's own
/// arena cost; its first block is never larger than the caller's arena
/// could still give), which reports any error; then it makes sure the
/// caller's arena has that many bytes free in one stretch (plus 32 for
/// alignment), growing it within its limit if needed, or returns
/// [`ErrorKind::ArenaFull`] without touching it; only then does it compile
/// into the caller's arena. Setting up costs two compiles per expression
/// there. In a growable arena a failed add may leave bytes behind (it
/// cannot fill up).
///
/// # Example
/// ```
/// let ctx = exp_rs::Context::<f64>::new();
/// let arena = bumpalo::Bump::new();
/// let mut batch = exp_rs::Batch::new(&ctx, &arena);
/// let i = batch.add_expression("x * sin(y) + z").unwrap(); // x, y, z are params 0, 1, 2
/// let j = batch.add_expression("hypot(x, z)").unwrap();
/// batch.set_param(0, 3.0);
/// batch.set_param(2, 4.0);
/// batch.eval().unwrap();
/// assert_eq!(batch.result(i), Some(4.0));
/// assert_eq!(batch.result(j), Some(5.0));
/// ```
pub struct Batch<'a, R: Real = f64> {
    /// `None` until bound.
    ctx: Option<Context<R>>,
    arena: &'a Bump,
    names: ArenaVec<'a, &'a str>,
    values: Vec<R>,
    programs: Vec<Program<'a, R>>,
    /// Each program's source, in the same order.
    sources: Vec<&'a str>,
    /// Sources added before binding, compiled by [`Batch::bind`].
    pending: Vec<&'a str>,
    /// Before binding: an upper bound of the parameter count (declared
    /// names plus every name the pending sources use as a value).
    max_params: usize,
    /// The first expression [`Batch::bind`] could not compile.
    broken: Option<(usize, Error)>,
    results: Vec<R>,
    errors: Vec<Option<Error>>,
    scratch: Scratch<'a, R>,
}

/// Bytes beyond a dry run's measure that `add_expression` wants free
/// before compiling for real. The real compile makes the same allocations
/// in the same order, so only alignment padding can differ: at most the
/// largest alignment (16) over the whole sequence.
const FIT_MARGIN: usize = 32;

fn full() -> Error {
    Error::new(ErrorKind::ArenaFull, Span::default())
}

/// Room for `additional` more entries in one of the batch's heap lists, or
/// [`AllocError`] with the list unchanged.
fn reserve<T>(list: &mut Vec<T>, additional: usize) -> Result<(), AllocError> {
    list.try_reserve(additional).map_err(|_| AllocError)
}

/// Room for `total` entries in all, as [`reserve`].
fn room_for<T>(list: &mut Vec<T>, total: usize) -> Result<(), AllocError> {
    reserve(list, total.saturating_sub(list.len()))
}

/// A full heap, as an add's failure.
fn heap(r: Result<(), AllocError>) -> Result<(), Failure> {
    r.map_err(|_| Failure::Heap)
}

/// Why an add failed: the expression (or a full arena), or the heap.
enum Failure {
    /// An error of the expression, or `ArenaFull` of a limited arena.
    Invalid(Error),
    /// The heap could not provide memory.
    Heap,
}

impl Failure {
    /// `ArenaFull`.
    fn full() -> Failure {
        Failure::Invalid(full())
    }

    /// `e` from an arena without a limit, where full means the heap is.
    fn unlimited(e: Error) -> Failure {
        if e.kind == ErrorKind::ArenaFull {
            Failure::Heap
        } else {
            Failure::Invalid(e)
        }
    }

    /// As the public methods report it: a full heap is `ArenaFull`.
    fn error(self) -> Error {
        match self {
            Failure::Invalid(e) => e,
            Failure::Heap => full(),
        }
    }
}

impl<'a, R: Real> Batch<'a, R> {
    /// An empty batch compiling into `arena` against (a clone of) `ctx`.
    pub fn new(ctx: &Context<R>, arena: &'a Bump) -> Self {
        let mut batch = Batch::unbound(arena);
        batch.ctx = Some(ctx.clone());
        batch
    }

    /// [`Batch::new`], or [`AllocError`] if the heap cannot hold the
    /// context's clone.
    ///
    /// The other methods report the heap running out as they report the
    /// arena running out, [`ErrorKind::ArenaFull`], with nothing changed
    /// (a failed [`Batch::bind`] leaves the batch unbound): a batch never
    /// aborts for want of memory, except in `add_derivative` (feature
    /// `symbolic`), whose symbolic work still allocates as `Vec` does.
    pub fn try_new(ctx: &Context<R>, arena: &'a Bump) -> Result<Self, AllocError> {
        let mut batch = Batch::unbound(arena);
        batch.ctx = Some(ctx.try_clone()?);
        Ok(batch)
    }

    /// An empty batch without a context yet; see [`Batch::bind`].
    pub fn unbound(arena: &'a Bump) -> Self {
        Batch {
            ctx: None,
            arena,
            names: ArenaVec::new_in(arena),
            values: Vec::new(),
            programs: Vec::new(),
            sources: Vec::new(),
            pending: Vec::new(),
            max_params: 0,
            broken: None,
            results: Vec::new(),
            errors: Vec::new(),
            scratch: Scratch::empty(),
        }
    }

    /// True once the batch has a context (made by [`Batch::new`], or
    /// [`Batch::bind`] was called).
    pub fn is_bound(&self) -> bool {
        self.ctx.is_some()
    }

    /// The limits its checks run under: the context's, or the defaults
    /// before binding.
    pub fn limits(&self) -> Limits {
        self.ctx.as_ref().map_or(Limits::DEFAULT, |c| *c.limits())
    }

    /// Declares a parameter with its initial value and returns its index;
    /// an existing name keeps its index and takes the new value. A name
    /// `object.field` is read by `object.field` in expressions (doors check
    /// names with [`is_identifier`](crate::is_identifier)).
    pub fn add_param(&mut self, name: &str, value: R) -> Result<usize, Error> {
        if let Some(i) = self.param_index(name) {
            self.set_param(i, value);
            return Ok(i);
        }
        let index = self.names.len();
        // Room for every value `set_param` may record before binding too.
        room_for(&mut self.values, (index + 1).max(self.max_params + 1)).map_err(|_| full())?;
        let name: &'a str = self.arena.try_alloc_str(name).map_err(|_| full())?;
        self.names.try_push(name).map_err(|_| full())?;
        // Within the room reserved above: cannot fail.
        try_fill(&mut self.values, index + 1, R::ZERO).map_err(|_| full())?;
        if let Some(slot) = self.values.get_mut(index) {
            *slot = value;
        }
        self.max_params += 1;
        Ok(index)
    }

    /// Adds an expression and returns its index. Bound, it is compiled now
    /// and its free names become parameters (initial value 0); unbound, its
    /// syntax is checked now (under the default limits) and it is compiled
    /// by [`Batch::bind`]. A failed add changes nothing, not even the
    /// arena's used bytes: see the type's docs.
    pub fn add_expression(&mut self, src: &str) -> Result<usize, Error> {
        self.add(src).map_err(Failure::error)
    }

    /// [`Batch::add_expression`], telling a full heap apart (for
    /// [`Batch::bind`], which can then be retried).
    fn add(&mut self, src: &str) -> Result<usize, Failure> {
        if let Some((_, e)) = self.broken {
            // Indices of the uncompiled expressions would shift.
            return Err(Failure::Invalid(e));
        }
        let Some(ctx) = &self.ctx else {
            // Syntax only: a scratch tree on the heap, dropped at once
            // (which has no limit: full means the heap is).
            let scratch = Bump::new();
            let ast = parse(src, &scratch, &Limits::DEFAULT).map_err(Failure::unlimited)?;
            let mut names = 0;
            ast.try_walk(&mut |node| {
                if matches!(node.kind, AstKind::Name(_) | AstKind::Field { .. }) {
                    names += 1;
                }
            })
            .map_err(|_| Failure::Heap)?;
            heap(reserve(&mut self.pending, 1))?;
            heap(reserve(&mut self.results, 1))?;
            heap(reserve(&mut self.errors, 1))?;
            // Room for a value per name it could introduce, so that
            // `set_param` before binding never allocates.
            heap(room_for(&mut self.values, self.max_params + names))?;
            let source: &'a str = self.arena.try_alloc_str(src).map_err(|_| Failure::full())?;
            // Within the room reserved above: cannot fail.
            let _ = try_push(&mut self.pending, source);
            self.max_params += names;
            let _ = try_push(&mut self.results, R::NAN);
            let _ = try_push(&mut self.errors, None);
            return Ok(self.pending.len() - 1);
        };
        // Room for the new entry first, so nothing fails after compiling.
        heap(reserve(&mut self.programs, 1))?;
        heap(reserve(&mut self.sources, 1))?;
        heap(reserve(&mut self.results, 1))?;
        heap(reserve(&mut self.errors, 1))?;
        // In an arena with an allocation limit (a fixed or capped one), a
        // dry run on the heap first: errors come from it, the caller's
        // arena untouched (bumpalo cannot give bytes back). A growable
        // arena skips it: it cannot fill up, and the dry run would double
        // the peak memory of a large compile.
        let limited = self.arena.allocation_limit();
        if let Some(limit) = limited {
            // What the arena can still give: no dry run may use more.
            let avail =
                self.arena.chunk_capacity() + limit.saturating_sub(self.arena.allocated_bytes());
            let guess = (512 + 128 * src.len() + 16 * self.names.capacity()).min(avail);
            // The dry run's arena has no limit: full means the heap is.
            let (mut need, spilled, names) =
                self.dry_run(ctx, src, guess).map_err(Failure::unlimited)?;
            if let Some(total) = spilled {
                // Measured across chunks (their unused tails counted): once
                // more in one chunk, for the exact figure.
                need = self.dry_run(ctx, src, total).map_err(Failure::unlimited)?.0;
            }
            // And room for the values of the parameters it introduces.
            heap(room_for(&mut self.values, names))?;
            // Room for the real compile, in one stretch of the current
            // chunk: if it is not there, a block of that size is allocated
            // (growing the arena, within its limit) and given back at once,
            // as the last allocation. Nothing else is allocated when it
            // fails. (A failure here is the arena's limit, as bumpalo sizes
            // its chunks, or the heap: both are reported as a full arena.)
            let room = need + FIT_MARGIN;
            if room > avail {
                return Err(Failure::full());
            }
            if self.arena.chunk_capacity() < room {
                let mut block = ArenaVec::<u8>::new_in(self.arena);
                block.try_reserve_exact(room).map_err(|_| Failure::full())?;
            }
        }
        // Past here a full arena is the heap's doing only in a growable
        // arena (a limited one was measured above).
        let failed = |e: Error| match limited {
            None => Failure::unlimited(e),
            Some(_) => Failure::Invalid(e),
        };
        let ast = parse(src, self.arena, ctx.limits()).map_err(failed)?;
        let source: &'a str = self.arena.try_alloc_str(src).map_err(|_| failed(full()))?;
        let declared = self.names.len();
        let compiled = compile(ast, ctx, self.arena, &mut self.names, FreeNames::AreParams)
            .and_then(|program| {
                if !self.scratch.fits(&program) {
                    let stack = program.stack_size.max(self.scratch.stack.len() as u32);
                    let frames = program.frame_count.max(self.scratch.frames.len() as u32);
                    self.scratch = Scratch::new_in(self.arena, stack, frames)?;
                }
                Ok(program)
            })
            .map_err(failed);
        // A growable arena skipped the dry run: room for the values now (a
        // failure leaves bytes in an arena that has no limit to keep).
        let compiled = compiled.and_then(|program| {
            heap(room_for(&mut self.values, self.names.len()))?;
            Ok(program)
        });
        let program = match compiled {
            Ok(p) => p,
            Err(e) => {
                // Names a failed expression introduced do not stay.
                self.names.truncate(declared);
                return Err(e);
            }
        };
        // Within the room reserved before compiling: cannot fail.
        let _ = try_fill(&mut self.values, self.names.len(), R::ZERO);
        let _ = try_push(&mut self.programs, program);
        let _ = try_push(&mut self.sources, source);
        let _ = try_push(&mut self.results, R::NAN);
        let _ = try_push(&mut self.errors, None);
        Ok(self.programs.len() - 1)
    }

    /// Runs `add_expression`'s arena work (parse, source copy, compile,
    /// value stack) into a fresh heap arena of `capacity` bytes with a copy
    /// of the parameter names, and returns the bytes it took; with
    /// `Some(total)` when it spilled into a second chunk (then the measure
    /// includes unused chunk tails; `total` is enough for one chunk); and
    /// the parameter count after it.
    fn dry_run(
        &self,
        ctx: &Context<R>,
        src: &str,
        capacity: usize,
    ) -> Result<(usize, Option<usize>, usize), Error> {
        let dry = Bump::try_with_capacity(capacity).map_err(|_| full())?;
        let first = dry.allocated_bytes();
        // The same capacity as the real list, so it grows at the same points.
        let mut names = ArenaVec::new_in(&dry);
        names
            .try_reserve_exact(self.names.capacity())
            .map_err(|_| full())?;
        names
            .try_extend_from_slice(&self.names)
            .map_err(|_| full())?;
        let start = arena_used(&dry);
        let ast = parse(src, &dry, ctx.limits())?;
        dry.try_alloc_str(src).map_err(|_| full())?;
        let program = compile(ast, ctx, &dry, &mut names, FreeNames::AreParams)?;
        if !self.scratch.fits(&program) {
            let stack = program.stack_size.max(self.scratch.stack.len() as u32);
            let frames = program.frame_count.max(self.scratch.frames.len() as u32);
            Scratch::<R>::new_in(&dry, stack, frames)?;
        }
        let total = dry.allocated_bytes();
        let spilled = (total != first).then_some(total);
        Ok((arena_used(&dry) - start, spilled, names.len()))
    }

    /// Gives an unbound batch its context and compiles the expressions
    /// added so far, in order. On the first that fails, returns its index
    /// and error; the batch then stays broken: [`Batch::eval`] and
    /// [`Batch::add_expression`] return that error, and the expressions
    /// from it on stay uncompiled (their indices and sources stay). A bound
    /// batch keeps its context and this does nothing.
    ///
    /// If the heap runs out (for the context's clone, the lists, or a
    /// compile's scratch work), returns [`ErrorKind::ArenaFull`] with the
    /// index it had reached and stays unbound, its expressions pending as
    /// before: binding can be tried again. (The arena keeps the bytes the
    /// expressions compiled before the failure took.)
    pub fn bind(&mut self, ctx: &Context<R>) -> Result<(), (usize, Error)> {
        if self.ctx.is_some() {
            return self.broken.map_or(Ok(()), Err);
        }
        let n = self.pending.len();
        let heap_full = |_| (0, full());
        // `max_params` bounds the parameters binding can create.
        let mut fresh = Vec::new();
        reserve(&mut fresh, self.max_params.max(self.names.len())).map_err(heap_full)?;
        reserve(&mut self.programs, n).map_err(heap_full)?;
        reserve(&mut self.sources, n).map_err(heap_full)?;
        self.ctx = Some(ctx.try_clone().map_err(heap_full)?);
        // The results and errors keep their room for every pending
        // expression through `clear`.
        self.results.clear();
        self.errors.clear();
        let declared = self.names.len();
        let mut pending = core::mem::take(&mut self.pending);
        let values = core::mem::replace(&mut self.values, fresh);
        for (i, &src) in pending.iter().enumerate() {
            match self.add(src) {
                Ok(_) => {}
                Err(Failure::Heap) => {
                    // Back to unbound, as before the call, so binding can be
                    // tried again (the arena keeps what the expressions
                    // compiled so far took).
                    self.ctx = None;
                    self.names.truncate(declared);
                    self.programs.clear();
                    self.sources.clear();
                    let _ = try_fill(&mut self.results, n, R::NAN);
                    let _ = try_fill(&mut self.errors, n, None);
                    self.pending = pending;
                    self.values = values;
                    return Err((i, full()));
                }
                Err(Failure::Invalid(e)) => {
                    self.broken = Some((i, e));
                    let _ = try_fill(&mut self.results, n, R::NAN);
                    let _ = try_fill(&mut self.errors, n, None);
                    // The sources from the broken one on stay pending.
                    let mut k = 0;
                    pending.retain(|_| {
                        k += 1;
                        k > i
                    });
                    self.pending = pending;
                    break;
                }
            }
        }
        // Values set before binding, for parameters that exist now (room
        // for them was reserved above).
        let count = self.names.len();
        let _ = try_fill(&mut self.values, count, R::ZERO);
        for (slot, v) in self.values.iter_mut().zip(values.iter()) {
            *slot = *v;
        }
        self.max_params = count;
        self.broken.map_or(Ok(()), Err)
    }

    /// Adds the derivative of expression `index` with respect to the
    /// parameter `param` as a new expression (simplified, compiled into the
    /// same arena, against the batch's context) and returns its index.
    /// Firmware gets a Jacobian this way, evaluated with the rest.
    ///
    /// Errors: the derivative's ([`derivative`](crate::derivative)), those
    /// of [`Batch::add_expression`] for its source, and
    /// [`ErrorKind::UnknownVariable`] when `param` is not a parameter. On
    /// an unbound batch, or with no expression `index`, there is nothing
    /// to differentiate: [`ErrorKind::NotDifferentiable`] (the C door
    /// reports these as `NOT_BOUND` and `BAD_INDEX`).
    ///
    /// # Example
    /// ```
    /// let ctx = exp_rs::Context::<f64>::new();
    /// let arena = bumpalo::Bump::new();
    /// let mut batch = exp_rs::Batch::new(&ctx, &arena);
    /// let f = batch.add_expression("x^2 * y").unwrap();
    /// let dfdx = batch.add_derivative(f, "x").unwrap();
    /// assert_eq!(batch.source(dfdx), Some("2 * x * y"));
    /// batch.set_params(&[3.0, 0.5]);
    /// batch.eval().unwrap();
    /// assert_eq!(batch.result(dfdx), Some(3.0));
    /// ```
    #[cfg(feature = "symbolic")]
    pub fn add_derivative(&mut self, index: usize, param: &str) -> Result<usize, Error> {
        let nothing = Error::new(ErrorKind::NotDifferentiable, Span::default());
        let (Some(ctx), Some(src)) = (&self.ctx, self.source(index)) else {
            return Err(nothing);
        };
        if self.param_index(param).is_none() {
            return Err(Error::new(ErrorKind::UnknownVariable, Span::default()));
        }
        // The derivative's tree is scratch: only its text is compiled.
        let scratch = Bump::new();
        let limits = *ctx.limits();
        let ast = parse(src, &scratch, &limits)?;
        let tree = crate::derive::derivative(ast, param, &self.names, ctx, &scratch)?;
        let text = crate::print::to_source(tree, &limits)?;
        // Its spans would point into text the caller never saw.
        self.add_expression(&text)
            .map_err(|e| Error::new(e.kind, Span::default()))
    }

    /// The expression [`Batch::bind`] could not compile, and why.
    pub fn bind_error(&self) -> Option<(usize, Error)> {
        self.broken
    }

    /// The index of a parameter.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }

    /// Sets parameter `index`; false if there is no such parameter. Before
    /// binding, any index below the number of names the expressions could
    /// introduce is accepted, and applied by [`Batch::bind`].
    pub fn set_param(&mut self, index: usize, value: R) -> bool {
        if self.ctx.is_none() && index < self.max_params {
            // Within the room the adds reserved: no allocation.
            let _ = try_fill(&mut self.values, index + 1, R::ZERO);
        }
        match self.values.get_mut(index) {
            Some(v) => {
                *v = value;
                true
            }
            None => false,
        }
    }

    /// Sets every parameter from `values` (in index order; extra values are
    /// ignored, missing ones left as they are).
    pub fn set_params(&mut self, values: &[R]) {
        for (v, &x) in self.values.iter_mut().zip(values) {
            *v = x;
        }
    }

    /// The current value of parameter `index`.
    pub fn param(&self, index: usize) -> Option<R> {
        self.values.get(index).copied()
    }

    /// The parameter names, in index order.
    pub fn param_names(&self) -> &[&'a str] {
        &self.names
    }

    /// Evaluates every expression with the current parameters. Allocates
    /// nothing. An expression that fails gets NaN as its result and its
    /// error in [`Batch::error`]; the others are still evaluated; the first
    /// error is returned. A batch that [`Batch::bind`] could not compile
    /// returns that error; an unbound one has nothing compiled to run.
    pub fn eval(&mut self) -> Result<(), Error> {
        if let Some((_, e)) = self.broken {
            return Err(e);
        }
        let first = run_each(
            &self.programs,
            &self.values,
            &mut self.scratch,
            &mut self.results,
            &mut self.errors,
        );
        first.map_or(Ok(()), Err)
    }

    /// The result of expression `index` from the last [`Batch::eval`].
    pub fn result(&self, index: usize) -> Option<R> {
        self.results.get(index).copied()
    }

    /// Every result, in expression order.
    pub fn results(&self) -> &[R] {
        &self.results
    }

    /// The error of expression `index` from the last [`Batch::eval`], if it
    /// failed.
    pub fn error(&self, index: usize) -> Option<Error> {
        self.errors.get(index).copied().flatten()
    }

    /// The source of expression `index`.
    pub fn source(&self, index: usize) -> Option<&'a str> {
        match self.sources.get(index) {
            Some(s) => Some(*s),
            None => self
                .pending
                .get(index.checked_sub(self.programs.len())?)
                .copied(),
        }
    }

    /// The compiled program of expression `index`.
    pub fn program(&self, index: usize) -> Option<&Program<'a, R>> {
        self.programs.get(index)
    }

    /// How many expressions the batch holds (compiled, or added before
    /// binding).
    pub fn len(&self) -> usize {
        self.programs.len() + self.pending.len()
    }

    /// True when the batch holds no expression.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
