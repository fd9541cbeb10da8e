//! Simplification: smart constructors that build a tree already simplified,
//! and [`simplify`], which rebuilds any tree through them.
//!
//! The rules (SPEC.md "Derivatives and printing"): `a + 0`, `a - 0`,
//! `0 - a` → `-a`, `a * 1`, `a * 0` → `0`, `0 / a` → `0`, `a / 1`, `--a`,
//! `+a`, `a^1`, `a^0` → `1`, `a + -b` → `a - b`, a constant factor moved
//! first and merged with the next one (`x * 3 * 2` → `6 * x`), a minus
//! moved out of products and quotients, a conditional with a constant
//! condition → its branch. Constants are folded only when the operands
//! and the result are exact in both `f32` and `f64` and both precisions
//! compute the same result, so a folded tree evaluates the same in either.
//! These are mathematical rewrites: `x * 0` is `0` even though IEEE makes
//! it NaN for an infinite `x` (a derivative's terms, not a program's).
//!
//! Every builder counts the nodes it makes against a budget (the limits'
//! `max_len`: each node prints at least one byte), past which it is
//! [`ErrorKind::ArenaFull`]; [`check_size`] bounds the finished tree's
//! printed size and height the same way, walking with a heap work list.

use alloc::vec::Vec;

use bumpalo::Bump;

use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::error::{Error, ErrorKind, Span};
use crate::literal::FromLiteral;
use crate::parser::Limits;
use crate::print::shortest_f64;

/// Builds simplified nodes in an arena, all with one span (the node they
/// stand for), counting them against a budget.
pub(crate) struct Builder<'a> {
    /// Where nodes go.
    pub(crate) arena: &'a Bump,
    /// The span given to new nodes.
    pub(crate) span: Span,
    made: usize,
    budget: usize,
}

/// Largest magnitude folded: every integer up to it is exact in `f32`.
const EXACT: f64 = 16_777_216.0;

impl<'a> Builder<'a> {
    /// A builder into `arena` with the budget of `limits`.
    pub(crate) fn new(arena: &'a Bump, limits: &Limits) -> Self {
        Builder {
            arena,
            span: Span::default(),
            made: 0,
            budget: limits.max_len as usize,
        }
    }

    /// Counts one unit of work against the budget.
    pub(crate) fn tick(&mut self) -> Result<(), Error> {
        self.made += 1;
        if self.made > self.budget {
            return Err(Error::new(ErrorKind::ArenaFull, self.span));
        }
        Ok(())
    }

    /// A new node of `kind`.
    pub(crate) fn node(&mut self, kind: AstKind<'a>) -> Result<&'a Ast<'a>, Error> {
        self.tick()?;
        let span = self.span;
        self.arena
            .try_alloc(Ast { kind, span })
            .map(|n| &*n)
            .map_err(|_| Error::new(ErrorKind::ArenaFull, span))
    }

    /// A copy of `text` in the arena.
    pub(crate) fn str(&mut self, text: &str) -> Result<&'a str, Error> {
        let span = self.span;
        self.arena
            .try_alloc_str(text)
            .map(|t| &*t)
            .map_err(|_| Error::new(ErrorKind::ArenaFull, span))
    }

    /// The arguments of a call, copied into the arena.
    pub(crate) fn args(&mut self, args: &[&'a Ast<'a>]) -> Result<&'a [Ast<'a>], Error> {
        let values: Vec<Ast<'a>> = args.iter().map(|a| **a).collect();
        let span = self.span;
        self.arena
            .try_alloc_slice_copy(&values)
            .map(|v| &*v)
            .map_err(|_| Error::new(ErrorKind::ArenaFull, span))
    }

    /// A number: a literal, under a `-` when negative. `value` must be
    /// finite.
    pub(crate) fn number(&mut self, value: f64) -> Result<&'a Ast<'a>, Error> {
        let text = shortest_f64(value.abs());
        let text = self.str(&text)?;
        let literal = self.node(AstKind::Number(text))?;
        if value < 0.0 {
            self.node(AstKind::Unary(UnaryOp::Neg, literal))
        } else {
            Ok(literal)
        }
    }

    /// `name(args…)`.
    pub(crate) fn call(&mut self, name: &str, args: &[&'a Ast<'a>]) -> Result<&'a Ast<'a>, Error> {
        let name = self.str(name)?;
        let args = self.args(args)?;
        let name_span = self.span;
        self.node(AstKind::Call {
            name,
            name_span,
            args,
        })
    }

    /// `-a`, simplified.
    pub(crate) fn neg(&mut self, a: &'a Ast<'a>) -> Result<&'a Ast<'a>, Error> {
        if let Some(v) = constant(a) {
            return self.number(-v);
        }
        match a.kind {
            AstKind::Unary(UnaryOp::Neg, inner) => Ok(inner),
            _ => self.node(AstKind::Unary(UnaryOp::Neg, a)),
        }
    }

    /// `a + b`, simplified.
    pub(crate) fn add(&mut self, a: &'a Ast<'a>, b: &'a Ast<'a>) -> Result<&'a Ast<'a>, Error> {
        if let Some(r) = self.fold(a, b, |x, y| x + y, |x, y| x + y) {
            return r;
        }
        if is(a, 0.0) {
            return Ok(b);
        }
        if is(b, 0.0) {
            return Ok(a);
        }
        if let Some(inner) = negated(b) {
            return self.sub(a, inner);
        }
        if let Some(inner) = negated(a) {
            return self.sub(b, inner);
        }
        self.node(AstKind::Binary(BinaryOp::Add, a, b))
    }

    /// `a - b`, simplified.
    pub(crate) fn sub(&mut self, a: &'a Ast<'a>, b: &'a Ast<'a>) -> Result<&'a Ast<'a>, Error> {
        if let Some(r) = self.fold(a, b, |x, y| x - y, |x, y| x - y) {
            return r;
        }
        if is(b, 0.0) {
            return Ok(a);
        }
        if is(a, 0.0) {
            return self.neg(b);
        }
        if let Some(inner) = negated(b) {
            return self.add(a, inner);
        }
        self.node(AstKind::Binary(BinaryOp::Sub, a, b))
    }

    /// `a * b`, simplified; a constant factor goes first.
    pub(crate) fn mul(&mut self, a: &'a Ast<'a>, b: &'a Ast<'a>) -> Result<&'a Ast<'a>, Error> {
        if let Some(r) = self.fold(a, b, |x, y| x * y, |x, y| x * y) {
            return r;
        }
        if is(a, 0.0) || is(b, 0.0) {
            return self.number(0.0);
        }
        if is(a, 1.0) {
            return Ok(b);
        }
        if is(b, 1.0) {
            return Ok(a);
        }
        if is(a, -1.0) {
            return self.neg(b);
        }
        if is(b, -1.0) {
            return self.neg(a);
        }
        if constant(b).is_some() && constant(a).is_none() {
            return self.mul(b, a);
        }
        if let Some(inner) = negated(a) {
            let product = self.mul(inner, b)?;
            return self.neg(product);
        }
        if let Some(inner) = negated(b) {
            let product = self.mul(a, inner)?;
            return self.neg(product);
        }
        if let AstKind::Binary(BinaryOp::Mul, c, rest) = b.kind {
            if constant(c).is_some() {
                if constant(a).is_some() {
                    // k1 * (k2 * r) → (k1 k2) * r when it folds.
                    if let Some(Ok(k)) = self.fold(a, c, |x, y| x * y, |x, y| x * y) {
                        return self.mul(k, rest);
                    }
                } else {
                    // a * (k * r) → k * a * r: constants first.
                    let front = self.mul(c, a)?;
                    return self.mul(front, rest);
                }
            }
        }
        self.node(AstKind::Binary(BinaryOp::Mul, a, b))
    }

    /// `a / b`, simplified.
    pub(crate) fn div(&mut self, a: &'a Ast<'a>, b: &'a Ast<'a>) -> Result<&'a Ast<'a>, Error> {
        if let Some(r) = self.fold(a, b, |x, y| x / y, |x, y| x / y) {
            return r;
        }
        if is(a, 0.0) && !is(b, 0.0) {
            return self.number(0.0);
        }
        if is(b, 1.0) {
            return Ok(a);
        }
        if is(b, -1.0) {
            return self.neg(a);
        }
        if let Some(inner) = negated(a) {
            let quotient = self.div(inner, b)?;
            return self.neg(quotient);
        }
        if let Some(inner) = negated(b) {
            let quotient = self.div(a, inner)?;
            return self.neg(quotient);
        }
        self.node(AstKind::Binary(BinaryOp::Div, a, b))
    }

    /// `a ^ b`, simplified.
    pub(crate) fn pow(&mut self, a: &'a Ast<'a>, b: &'a Ast<'a>) -> Result<&'a Ast<'a>, Error> {
        if is(b, 1.0) {
            return Ok(a);
        }
        if is(b, 0.0) || is(a, 1.0) {
            return self.number(1.0);
        }
        if let (Some(x), Some(n)) = (constant(a), constant(b)) {
            // Small whole powers by repeated (exactly checked) products.
            if crate::fpu::trunc(n) == n && (2.0..=64.0).contains(&n) {
                let (mut r64, mut r32) = (1.0f64, 1.0f32);
                let mut i = 0.0;
                while i < n {
                    r64 *= x;
                    r32 *= x as f32;
                    i += 1.0;
                }
                if exact(x) && exact(r64) && f64::from(r32) == r64 {
                    return self.number(r64);
                }
            }
        }
        self.node(AstKind::Binary(BinaryOp::Pow, a, b))
    }

    /// `c ? a : b`, simplified: a constant condition picks its branch.
    pub(crate) fn cond(
        &mut self,
        c: &'a Ast<'a>,
        a: &'a Ast<'a>,
        b: &'a Ast<'a>,
    ) -> Result<&'a Ast<'a>, Error> {
        match constant(c) {
            Some(v) if v != 0.0 => Ok(a),
            Some(_) => Ok(b),
            None => self.node(AstKind::Conditional(c, a, b)),
        }
    }

    /// Folds `a op b` when both are constants and the result is exact in
    /// both precisions.
    fn fold(
        &mut self,
        a: &'a Ast<'a>,
        b: &'a Ast<'a>,
        op64: fn(f64, f64) -> f64,
        op32: fn(f32, f32) -> f32,
    ) -> Option<Result<&'a Ast<'a>, Error>> {
        let (x, y) = (constant(a)?, constant(b)?);
        let r = op64(x, y);
        let same = f64::from(op32(x as f32, y as f32)) == r;
        (exact(x) && exact(y) && exact(r) && same).then(|| self.number(r))
    }
}

/// True when `v` is finite, within the folding range, and exact in `f32`.
fn exact(v: f64) -> bool {
    v.is_finite() && v.abs() <= EXACT && f64::from(v as f32) == v
}

/// The value of a constant node: a literal, possibly under `-` or `+`,
/// that is exact in both precisions.
pub(crate) fn constant(node: &Ast<'_>) -> Option<f64> {
    match node.kind {
        AstKind::Number(text) => {
            let v = f64::from_literal(text)?;
            exact(v).then_some(v)
        }
        AstKind::Unary(UnaryOp::Neg, inner) => constant(inner).map(|v| -v),
        AstKind::Unary(UnaryOp::Plus, inner) => constant(inner),
        _ => None,
    }
}

/// True when `node` is the constant `v`.
pub(crate) fn is(node: &Ast<'_>, v: f64) -> bool {
    constant(node) == Some(v)
}

/// `inner` when `node` is `-inner` (and not a constant).
fn negated<'a>(node: &'a Ast<'a>) -> Option<&'a Ast<'a>> {
    match node.kind {
        AstKind::Unary(UnaryOp::Neg, inner) if constant(node).is_none() => Some(inner),
        _ => None,
    }
}

/// Rebuilds `root` bottom-up: `f` gets each node and its already rebuilt
/// children, and returns the node's replacement. Keeps its work list on
/// the heap.
pub(crate) fn rebuild<'a>(
    root: &'a Ast<'a>,
    b: &mut Builder<'a>,
    mut f: impl FnMut(&mut Builder<'a>, &'a Ast<'a>, &[&'a Ast<'a>]) -> Result<&'a Ast<'a>, Error>,
) -> Result<&'a Ast<'a>, Error> {
    let mut work: Vec<(&'a Ast<'a>, bool)> = Vec::new();
    let mut done: Vec<&'a Ast<'a>> = Vec::new();
    work.push((root, false));
    while let Some((node, children_done)) = work.pop() {
        if children_done {
            let n = node.children().count();
            let at = done.len() - n;
            let built = f(b, node, &done[at..])?;
            done.truncate(at);
            done.push(built);
        } else {
            b.tick()?;
            work.push((node, true));
            let first = work.len();
            work.extend(node.children().map(|c| (c, false)));
            work[first..].reverse();
        }
    }
    done.pop()
        .ok_or(Error::new(ErrorKind::ArenaFull, Span::default()))
}

/// `node` with new children, simplified where a rule applies.
pub(crate) fn simplified<'a>(
    b: &mut Builder<'a>,
    node: &'a Ast<'a>,
    kids: &[&'a Ast<'a>],
) -> Result<&'a Ast<'a>, Error> {
    b.span = node.span;
    match (node.kind, kids) {
        (AstKind::Unary(UnaryOp::Neg, _), [a]) => b.neg(a),
        (AstKind::Unary(UnaryOp::Plus, _), [a]) => Ok(a),
        (AstKind::Unary(op, _), [a]) => b.node(AstKind::Unary(op, a)),
        (AstKind::Binary(op, _, _), [x, y]) => match op {
            BinaryOp::Add => b.add(x, y),
            BinaryOp::Sub => b.sub(x, y),
            BinaryOp::Mul => b.mul(x, y),
            BinaryOp::Div => b.div(x, y),
            BinaryOp::Pow => b.pow(x, y),
            _ => b.node(AstKind::Binary(op, x, y)),
        },
        (AstKind::Conditional(..), [c, x, y]) => b.cond(c, x, y),
        (AstKind::Call { name, .. }, args) => b.call(name, args),
        (
            AstKind::Index {
                name, name_span, ..
            },
            [i],
        ) => b.node(AstKind::Index {
            name,
            name_span,
            index: i,
        }),
        // Leaves stay as they are.
        _ => Ok(node),
    }
}

/// Simplifies any tree with the rules above; the result lives in `arena`.
///
/// ```
/// let arena = bumpalo::Bump::new();
/// let ast = exp_rs::parse_expression_arena("0 + 1 * x^1 * 3 - -(2 * y)", &arena).unwrap();
/// let simple = exp_rs::simplify(ast, &arena, &exp_rs::Limits::DEFAULT).unwrap();
/// assert_eq!(simple.to_string(), "3 * x + 2 * y");
/// ```
pub fn simplify<'a>(
    ast: &'a Ast<'a>,
    arena: &'a Bump,
    limits: &Limits,
) -> Result<&'a Ast<'a>, Error> {
    let mut b = Builder::new(arena, limits);
    let result = rebuild(ast, &mut b, simplified)?;
    check_size(result, limits)?;
    Ok(result)
}

/// Checks that `tree` (which may share subtrees) would print within the
/// limits: at most `max_len` nodes once shared parts are counted each time
/// ([`ErrorKind::ArenaFull`]) and at most `max_depth` levels
/// ([`ErrorKind::TooDeep`]). Stops as soon as either is passed, so it takes
/// at most `max_len` steps.
pub(crate) fn check_size(tree: &Ast<'_>, limits: &Limits) -> Result<(), Error> {
    let mut pending: Vec<(&Ast<'_>, u32)> = Vec::new();
    pending.push((tree, 1));
    let mut count = 0usize;
    while let Some((node, depth)) = pending.pop() {
        count += 1;
        if count > limits.max_len as usize {
            return Err(Error::new(ErrorKind::ArenaFull, Span::default()));
        }
        if depth > limits.max_depth {
            return Err(Error::new(ErrorKind::TooDeep, Span::default()));
        }
        pending.extend(node.children().map(|c| (c, depth + 1)));
    }
    Ok(())
}
