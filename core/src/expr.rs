//! [`Expr`]: one compiled expression, ready to evaluate again and again.

use core::cell::RefCell;

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;

use crate::ast::Ast;
use crate::compiler::{FreeNames, compile};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Span};
use crate::parser::parse;
use crate::program::{Program, Scratch};
use crate::real::Real;

/// A compiled expression. Everything it needs (tree, program, value stack)
/// lives in the arena it was compiled into; [`Expr::eval`] allocates
/// nothing and cannot panic.
///
/// # Example
/// ```
/// use exp_rs::{Context, Expr};
/// let ctx = Context::<f64>::new();
/// let arena = bumpalo::Bump::new();
/// let expr = Expr::compile("x * sin(y) + z", &["x", "y", "z"], &ctx, &arena).unwrap();
/// for i in 0..1000 {
///     let v = expr.eval(&[2.0, 0.0, i as f64]).unwrap(); // zero heap allocations
///     assert_eq!(v, i as f64);
/// }
/// ```
pub struct Expr<'a, R: Real = f64> {
    source: &'a str,
    ast: &'a Ast<'a>,
    program: Program<'a, R>,
    params: &'a [&'a str],
    scratch: RefCell<Scratch<'a, R>>,
    arena_bytes: usize,
    /// What [`Expr::derivative`] needs: the context as it was compiled
    /// against, and the arena.
    #[cfg(feature = "symbolic")]
    ctx: Context<R>,
    #[cfg(feature = "symbolic")]
    arena: &'a Bump,
}

/// Bytes of an arena in use: what its chunks hold minus the free space left
/// in the current chunk.
pub fn arena_used(arena: &Bump) -> usize {
    arena
        .allocated_bytes()
        .saturating_sub(arena.chunk_capacity())
}

impl<'a, R: Real> Expr<'a, R> {
    /// Parses and compiles `src` with the given parameter names (slot `i`
    /// is `params[i]`). Names not among them must be bound in `ctx`.
    ///
    /// The expression keeps what it uses of `ctx` as it is now: later
    /// changes to the context do not reach it.
    pub fn compile(
        src: &str,
        params: &[&str],
        ctx: &Context<R>,
        arena: &'a Bump,
    ) -> Result<Self, Error> {
        let names = declare(params, arena)?;
        Self::build(src, names, FreeNames::Error, ctx, arena)
    }

    /// Parses and compiles `src`, making every free name a parameter in
    /// order of first appearance (`x * sin(y) + z` → x, y, z); see
    /// [`Expr::params`].
    ///
    /// # Example
    /// ```
    /// let ctx = exp_rs::Context::new();
    /// let arena = bumpalo::Bump::new();
    /// let e = exp_rs::Expr::compile_auto("b - a * pi", &ctx, &arena).unwrap();
    /// assert_eq!(e.params(), ["b", "a"]);
    /// assert_eq!(e.eval(&[1.0, 0.0]).unwrap(), 1.0);
    /// ```
    pub fn compile_auto(src: &str, ctx: &Context<R>, arena: &'a Bump) -> Result<Self, Error> {
        Self::build(
            src,
            BumpVec::new_in(arena),
            FreeNames::AreParams,
            ctx,
            arena,
        )
    }

    fn build(
        src: &str,
        names: BumpVec<'a, &'a str>,
        free: FreeNames,
        ctx: &Context<R>,
        arena: &'a Bump,
    ) -> Result<Self, Error> {
        let before = arena_used(arena);
        let ast = parse(src, arena, ctx.limits())?;
        Self::finish(src, ast, names, free, ctx, arena, before)
    }

    /// Compiles an already parsed tree (from
    /// [`parse_expression_arena`](crate::parse_expression_arena)); `src` is
    /// its source, kept for error rendering.
    pub fn from_ast(
        src: &str,
        ast: &'a Ast<'a>,
        params: &[&str],
        ctx: &Context<R>,
        arena: &'a Bump,
    ) -> Result<Self, Error> {
        let before = arena_used(arena);
        let names = declare(params, arena)?;
        Self::finish(src, ast, names, FreeNames::Error, ctx, arena, before)
    }

    fn finish(
        src: &str,
        ast: &'a Ast<'a>,
        mut names: BumpVec<'a, &'a str>,
        free: FreeNames,
        ctx: &Context<R>,
        arena: &'a Bump,
        before: usize,
    ) -> Result<Self, Error> {
        let source: &'a str = arena.try_alloc_str(src).map_err(|_| full())?;
        let program = compile(ast, ctx, arena, &mut names, free)?;
        let scratch = Scratch::new_in(arena, program.stack_size, program.frame_count)?;
        Ok(Expr {
            source,
            ast,
            program,
            params: names.into_bump_slice(),
            scratch: RefCell::new(scratch),
            arena_bytes: arena_used(arena).saturating_sub(before),
            #[cfg(feature = "symbolic")]
            ctx: ctx.clone(),
            #[cfg(feature = "symbolic")]
            arena,
        })
    }

    /// Evaluates with one value per parameter, in [`Expr::params`] order.
    ///
    /// Allocates nothing. Fails only with [`ErrorKind::IndexOutOfBounds`],
    /// [`ErrorKind::RecursionLimit`], [`ErrorKind::StepLimit`],
    /// [`ErrorKind::Callback`],
    /// [`ErrorKind::ParamCount`] (wrong `values.len()`) or
    /// [`ErrorKind::Reentrant`] (a native callback evaluating this same
    /// expression).
    #[inline]
    pub fn eval(&self, values: &[R]) -> Result<R, Error> {
        if values.len() != self.params.len() {
            return Err(Error::new(ErrorKind::ParamCount, Span::default()));
        }
        // Without anything to spill, and nothing that could call back into
        // this expression, there is no scratch to borrow.
        let mut none = Scratch::empty();
        let mut borrowed;
        let scratch = if self.program.stack_size == 0
            && self.program.frame_count == 0
            && self.program.natives.is_empty()
        {
            &mut none
        } else {
            borrowed = self
                .scratch
                .try_borrow_mut()
                .map_err(|_| Error::new(ErrorKind::Reentrant, Span::default()))?;
            &mut *borrowed
        };
        // `run` is inlined here: one call site, and the result stays in
        // registers (ARCHITECTURE.md, `program.rs`).
        self.program.run(values, scratch)
    }

    /// The parameter names, in slot order.
    pub fn params(&self) -> &'a [&'a str] {
        self.params
    }

    /// The source text (a copy in the arena).
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The syntax tree.
    pub fn ast(&self) -> &'a Ast<'a> {
        self.ast
    }

    /// The compiled program; `Display` prints its disassembly.
    pub fn program(&self) -> &Program<'a, R> {
        &self.program
    }

    /// Arena bytes this expression took (tree, program, stack, names).
    pub fn arena_bytes(&self) -> usize {
        self.arena_bytes
    }

    /// The derivative with respect to the parameter `param`, simplified
    /// and compiled into the same arena, against the context this
    /// expression was compiled with, with the same parameters. Its source
    /// is the derivative's canonical text. See
    /// [`derivative`](crate::derivative) for the rules and errors; a
    /// `param` that is not a parameter is
    /// [`ErrorKind::UnknownVariable`].
    ///
    /// # Example
    /// ```
    /// let ctx = exp_rs::Context::<f64>::new();
    /// let arena = bumpalo::Bump::new();
    /// let f = exp_rs::Expr::compile("x^3 * y", &["x", "y"], &ctx, &arena).unwrap();
    /// let df = f.derivative("x").unwrap();
    /// assert_eq!(df.to_string(), "3 * x^2 * y");
    /// assert_eq!(df.eval(&[2.0, 0.5]).unwrap(), 6.0);  // no allocation here
    /// ```
    #[cfg(feature = "symbolic")]
    pub fn derivative(&self, param: &str) -> Result<Expr<'a, R>, Error> {
        if !self.params.contains(&param) {
            return Err(Error::new(ErrorKind::UnknownVariable, Span::default()));
        }
        let tree = crate::derive::derivative(self.ast, param, self.params, &self.ctx, self.arena)?;
        let text = crate::print::to_source(tree, self.ctx.limits())?;
        // Parsed again from its text, so its spans, source and tree agree.
        Expr::compile(&text, self.params, &self.ctx, self.arena)
            .map_err(|e| Error::new(e.kind, Span::default()))
    }
}

/// Copies declared parameter names into the arena; a repeated name is
/// [`ErrorKind::DuplicateName`]. O(n log n): a sorted index of the names
/// (in the arena) finds repeats.
fn declare<'a>(params: &[&str], arena: &'a Bump) -> Result<BumpVec<'a, &'a str>, Error> {
    let mut names = BumpVec::new_in(arena);
    names.try_reserve_exact(params.len()).map_err(|_| full())?;
    for &p in params {
        names.push(&*arena.try_alloc_str(p).map_err(|_| full())?);
    }
    if params.len() > 1 {
        let mut order = BumpVec::new_in(arena);
        order.try_reserve_exact(params.len()).map_err(|_| full())?;
        order.extend(0..params.len() as u32);
        order.sort_unstable_by_key(|&i| names.get(i as usize).copied().unwrap_or(""));
        let name = |i: &u32| names.get(*i as usize).copied();
        let repeated = order
            .windows(2)
            .any(|w| matches!(w, [a, b] if name(a) == name(b)));
        if repeated {
            return Err(Error::new(ErrorKind::DuplicateName, Span::default()));
        }
    }
    Ok(names)
}

fn full() -> Error {
    Error::new(ErrorKind::ArenaFull, Span::default())
}

#[cfg(feature = "symbolic")]
impl<R: Real> core::fmt::Display for Expr<'_, R> {
    /// The expression's tree as canonical source (SPEC.md "Derivatives and
    /// printing"); parsing it gives the same tree and the same bits.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self.ast, f)
    }
}
