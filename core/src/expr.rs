//! [`Expr`]: one compiled expression, ready to evaluate again and again.

use core::cell::RefCell;

use crate::arena_vec::ArenaVec;
use bumpalo::Bump;

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
            ArenaVec::new_in(arena),
            FreeNames::AreParams,
            ctx,
            arena,
        )
    }

    fn build(
        src: &str,
        names: ArenaVec<'a, &'a str>,
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
        mut names: ArenaVec<'a, &'a str>,
        free: FreeNames,
        ctx: &Context<R>,
        arena: &'a Bump,
        before: usize,
    ) -> Result<Self, Error> {
        let source: &'a str = arena.try_alloc_str(src).map_err(|_| full())?;
        let program = compile(ast, ctx, arena, &mut names, free)?;
        let scratch = Scratch::new_in(arena, program.stack_size, program.frame_count)?;
        // The context the derivative and the printer see (a full heap is
        // reported as a full arena, as in every compile).
        #[cfg(feature = "symbolic")]
        let ctx = ctx.try_clone().map_err(|_| full())?;
        Ok(Expr {
            source,
            ast,
            program,
            params: names.into_bump_slice(),
            scratch: RefCell::new(scratch),
            arena_bytes: arena_used(arena).saturating_sub(before),
            #[cfg(feature = "symbolic")]
            ctx,
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
        // Bare metal: the batch's copy of the evaluator loop, not a second
        // one (flash, issue 14). Elsewhere `run` is inlined here: one call
        // site, and the result stays in registers (ARCHITECTURE.md,
        // `program.rs`).
        #[cfg(target_os = "none")]
        {
            let (mut result, mut error) = ([R::NAN], [None]);
            let program = core::slice::from_ref(&self.program);
            match crate::program::run_each(program, values, scratch, &mut result, &mut error) {
                Some(e) => Err(e),
                None => Ok(result[0]),
            }
        }
        #[cfg(not(target_os = "none"))]
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
/// [`ErrorKind::DuplicateName`]. O(n log n): past a few names, a sorted
/// index of the names (in the arena) finds repeats.
fn declare<'a>(params: &[&str], arena: &'a Bump) -> Result<ArenaVec<'a, &'a str>, Error> {
    let mut names = ArenaVec::new_in(arena);
    names.try_reserve_exact(params.len()).map_err(|_| full())?;
    for &p in params {
        names.push(&*arena.try_alloc_str(p).map_err(|_| full())?);
    }
    // A few names are compared pairwise: no index to allocate and sort
    // (compile time, issue 14's speed rule).
    let repeated = if params.len() <= 8 {
        (names.iter().enumerate()).any(|(i, n)| names.iter().take(i).any(|m| m == n))
    } else {
        let mut order = ArenaVec::new_in(arena);
        order.try_reserve_exact(params.len()).map_err(|_| full())?;
        for i in 0..params.len() as u32 {
            order.push(i);
        }
        heap_sort_by_key(&mut order, |i| names.get(i as usize).copied().unwrap_or(""));
        let name = |i: &u32| names.get(*i as usize).copied();
        order
            .windows(2)
            .any(|w| matches!(w, [a, b] if name(a) == name(b)))
    };
    if repeated {
        return Err(Error::new(ErrorKind::DuplicateName, Span::default()));
    }
    Ok(names)
}

/// Heap sort: O(n log n) with no recursion and a few hundred bytes of
/// code, where `sort_unstable` brings about 11 KB of quicksort to the
/// firmware for this one call.
fn heap_sort_by_key<K: Ord>(v: &mut [u32], key: impl Fn(u32) -> K) {
    let less = |v: &[u32], a: usize, b: usize| match (v.get(a), v.get(b)) {
        (Some(&x), Some(&y)) => key(x) < key(y),
        _ => false,
    };
    // Moves v[root] down until both children are smaller, within v[..end].
    let sift = |v: &mut [u32], mut root: usize, end: usize| {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                break;
            }
            if child + 1 < end && less(v, child, child + 1) {
                child += 1;
            }
            if !less(v, root, child) {
                break;
            }
            swap(v, root, child);
            root = child;
        }
    };
    let n = v.len();
    for root in (0..n / 2).rev() {
        sift(v, root, n);
    }
    for end in (1..n).rev() {
        swap(v, 0, end);
        sift(v, 0, end);
    }
}

/// `v.swap(a, b)` when both are in bounds (they always are here), with no
/// panic path for the C library to carry.
fn swap(v: &mut [u32], a: usize, b: usize) {
    if a < v.len() && b < v.len() {
        v.swap(a, b);
    }
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

#[cfg(test)]
mod tests {
    use super::heap_sort_by_key;

    #[test]
    fn heap_sort_orders_every_small_case() {
        // Every length to 9, with keys drawn from a small range (repeats),
        // in a pseudo-random order: the result must equal a std sort.
        let mut seed = 0x9e37_79b9_u32;
        for n in 0..10u32 {
            for _ in 0..200 {
                let keys: alloc::vec::Vec<u32> = (0..n)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        seed % 5
                    })
                    .collect();
                let mut order: alloc::vec::Vec<u32> = (0..n).collect();
                heap_sort_by_key(&mut order, |i| keys[i as usize]);
                let sorted: alloc::vec::Vec<u32> =
                    order.iter().map(|&i| keys[i as usize]).collect();
                let mut expected = keys.clone();
                expected.sort_unstable();
                assert_eq!(sorted, expected);
            }
        }
    }
}
