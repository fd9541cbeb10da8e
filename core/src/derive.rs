//! Symbolic derivatives (SPEC.md "Derivatives and printing").
//!
//! `d/dx` of a tree is built bottom-up with the simplifying constructors of
//! [`crate::simplify`], so the result comes out simplified: a term whose
//! factor is the derivative of something that does not depend on `x` is
//! never built (`d/dx (x*y)` is `y`). The walk keeps its work list on the
//! heap, like the parser and compiler, so no tree overflows the stack.
//!
//! * `+ - * / % ^` by the usual rules; `^` with a constant exponent is
//!   `b * a^(b-1) * a'`, with a constant base `a^b * ln(a) * b'`, else
//!   `a^b * (b' * ln(a) + b * a'/a)`.
//! * Built-ins by their rules (`abs` → `sign`, `min`/`max`/`clamp`
//!   through conditions, `fmod` → `a' - trunc(a/b) * b'`); the
//!   piecewise-constant ones, comparisons, `!`, `&&`, `||`, constants,
//!   other parameters, array elements and object fields are 0;
//!   `c ? a : b` → `c ? a' : b'`; `a, b` → `b'`.
//! * An expression function is differentiated through its body, with its
//!   arguments put in for its parameters (and the context's constants for
//!   the names it reads, so the body means the same at the call's place).
//!   A function already being differentiated (recursion) is
//!   [`ErrorKind::NotDifferentiable`] at the outermost call.
//! * A function with partial derivatives registered
//!   ([`Context::set_derivative`]) is `Σ ∂f/∂aᵢ(args) * aᵢ'`; a native
//!   without one is `NotDifferentiable` at the call, unless no argument
//!   depends on `x`.
//!
//! Nodes made for a node's derivative carry that node's span; the nodes of
//! an expanded function body carry the call's.

use alloc::vec::Vec;

use bumpalo::Bump;

use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::builtins::{Builtin, Func1, Func2};
use crate::context::{Context, FunctionDef};
use crate::error::{Error, ErrorKind, Span};
use crate::parser::parse_definition;
use crate::real::Real;
use crate::resolve::{self, Field, Value};
use crate::simplify::{Builder, check_size, is};

/// A derivative: `None` is a structural zero (the term is dropped).
type D<'a> = Option<&'a Ast<'a>>;

/// The derivative of `ast` with respect to the parameter `var`, simplified,
/// in `arena`. `params` are the names that are parameters at top level
/// (they hide the context's names); when `var` is not among them, nothing
/// depends on it and the result is `0`.
///
/// Fails with [`ErrorKind::NotDifferentiable`] (recursion, or a native
/// function without a registered derivative, at the call),
/// [`ErrorKind::TooDeep`] or [`ErrorKind::ArenaFull`] when the result would
/// pass the context's limits, and the name errors of compiling `ast`
/// where a call cannot be resolved.
///
/// ```
/// let ctx = exp_rs::Context::<f64>::new();
/// let arena = bumpalo::Bump::new();
/// let ast = exp_rs::parse_expression_arena("x^3 + sin(x * y)", &arena).unwrap();
/// let d = exp_rs::derivative(ast, "x", &["x", "y"], &ctx, &arena).unwrap();
/// assert_eq!(d.to_string(), "3 * x^2 + cos(x * y) * y");
/// ```
pub fn derivative<'a, R: Real>(
    ast: &'a Ast<'a>,
    var: &str,
    params: &[&str],
    ctx: &Context<R>,
    arena: &'a Bump,
) -> Result<&'a Ast<'a>, Error> {
    let mut d = Deriver {
        b: Builder::new(arena, ctx.limits()),
        var,
        is_param: params.contains(&var),
        params,
        ctx,
        active: Vec::new(),
        memo: Vec::new(),
        outer: ast.span,
    };
    let result = match d.run(ast)? {
        Some(tree) => tree,
        None => {
            d.b.span = ast.span;
            d.b.number(0.0)?
        }
    };
    check_size(result, ctx.limits())?;
    Ok(result)
}

/// One step of the walk.
enum Task<'a> {
    /// Push the derivative of this node.
    Visit(&'a Ast<'a>),
    /// The children's derivatives are on the value stack: combine them.
    Combine(&'a Ast<'a>),
    /// An expanded function body is done: forget the function, and the
    /// argument derivatives remembered from this length on.
    Leave(usize),
}

struct Deriver<'c, 'a, R: Real> {
    b: Builder<'a>,
    var: &'c str,
    is_param: bool,
    params: &'c [&'c str],
    ctx: &'c Context<R>,
    /// The expression functions being expanded, outermost first.
    active: Vec<&'a str>,
    /// Derivatives of the arguments of expanded calls, by node identity, so
    /// a parameter used many times in a body is differentiated once.
    memo: Vec<(*const Ast<'a>, D<'a>)>,
    /// The span of the outermost call being expanded (errors inside a body
    /// point there).
    outer: Span,
}

impl<'a, R: Real> Deriver<'_, 'a, R> {
    fn run(&mut self, root: &'a Ast<'a>) -> Result<D<'a>, Error> {
        let mut tasks: Vec<Task<'a>> = Vec::new();
        let mut values: Vec<D<'a>> = Vec::new();
        tasks.push(Task::Visit(root));
        while let Some(task) = tasks.pop() {
            self.b.tick()?;
            match task {
                Task::Visit(node) => self.visit(node, &mut tasks, &mut values)?,
                Task::Combine(node) => {
                    let n = match node.kind {
                        AstKind::Unary(..) => 1,
                        AstKind::Binary(..) | AstKind::Conditional(..) => 2,
                        AstKind::Call { args, .. } => args.len(),
                        _ => 0,
                    };
                    let at = values.len().saturating_sub(n);
                    let kids: Vec<D<'a>> = values.split_off(at);
                    self.b.span = if self.active.is_empty() {
                        node.span
                    } else {
                        self.outer
                    };
                    match self.combine(node, &kids)? {
                        Step::Value(d) => values.push(d),
                        Step::Expand(body, memo_len) => {
                            tasks.push(Task::Leave(memo_len));
                            tasks.push(Task::Visit(body));
                        }
                    }
                }
                Task::Leave(len) => {
                    self.active.pop();
                    self.memo.truncate(len);
                }
            }
        }
        Ok(values.pop().flatten())
    }

    fn visit(
        &mut self,
        node: &'a Ast<'a>,
        tasks: &mut Vec<Task<'a>>,
        values: &mut Vec<D<'a>>,
    ) -> Result<(), Error> {
        if let Some(&(_, d)) = self
            .memo
            .iter()
            .find(|(p, _)| core::ptr::eq(*p, node as *const Ast<'a>))
        {
            values.push(d);
            return Ok(());
        }
        match node.kind {
            AstKind::Number(_) | AstKind::Index { .. } => values.push(None),
            AstKind::Name(name) => {
                let d = if name == self.var && self.is_param {
                    self.b.span = node.span;
                    Some(self.b.number(1.0)?)
                } else {
                    None
                };
                values.push(d);
            }
            AstKind::Field { object, field, .. } => {
                // A batch declares `obj.f` as a parameter by its dotted name.
                let v = self.var;
                let dotted = self.is_param
                    && v.len() == object.len() + 1 + field.len()
                    && v.starts_with(object)
                    && v.ends_with(field)
                    && v.as_bytes().get(object.len()) == Some(&b'.');
                let d = if dotted {
                    self.b.span = node.span;
                    Some(self.b.number(1.0)?)
                } else {
                    None
                };
                values.push(d);
            }
            AstKind::Unary(UnaryOp::Not, _) => values.push(None),
            AstKind::Binary(op, _, right) => match op {
                BinaryOp::Or
                | BinaryOp::And
                | BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => values.push(None),
                // `a, b` is `b`.
                BinaryOp::Seq => tasks.push(Task::Visit(right)),
                _ => push_children(node, tasks),
            },
            AstKind::Unary(..) | AstKind::Call { .. } => push_children(node, tasks),
            AstKind::Conditional(_, then, other) => {
                tasks.push(Task::Combine(node));
                tasks.push(Task::Visit(other));
                tasks.push(Task::Visit(then));
            }
        }
        Ok(())
    }

    fn one(&mut self) -> Result<&'a Ast<'a>, Error> {
        self.b.number(1.0)
    }

    fn zero(&mut self) -> Result<&'a Ast<'a>, Error> {
        self.b.number(0.0)
    }

    /// `x * d`, or nothing when `d` is zero.
    fn times(&mut self, x: &'a Ast<'a>, d: D<'a>) -> Result<D<'a>, Error> {
        match d {
            Some(d) => nonzero(self.b.mul(x, d)?),
            None => Ok(None),
        }
    }

    /// `d / x`, or nothing when `d` is zero.
    fn over(&mut self, d: D<'a>, x: &'a Ast<'a>) -> Result<D<'a>, Error> {
        match d {
            Some(d) => nonzero(self.b.div(d, x)?),
            None => Ok(None),
        }
    }

    fn plus(&mut self, a: D<'a>, b: D<'a>) -> Result<D<'a>, Error> {
        match (a, b) {
            (Some(a), Some(b)) => nonzero(self.b.add(a, b)?),
            (a, None) => Ok(a),
            (None, b) => Ok(b),
        }
    }

    fn minus(&mut self, a: D<'a>, b: D<'a>) -> Result<D<'a>, Error> {
        match (a, b) {
            (Some(a), Some(b)) => nonzero(self.b.sub(a, b)?),
            (a, None) => Ok(a),
            (None, Some(b)) => nonzero(self.b.neg(b)?),
        }
    }

    fn negate(&mut self, a: D<'a>) -> Result<D<'a>, Error> {
        match a {
            Some(a) => nonzero(self.b.neg(a)?),
            None => Ok(None),
        }
    }

    /// `c ? a : b` for derivatives.
    fn choose(&mut self, c: &'a Ast<'a>, a: D<'a>, b: D<'a>) -> Result<D<'a>, Error> {
        if a.is_none() && b.is_none() {
            return Ok(None);
        }
        let a = match a {
            Some(a) => a,
            None => self.zero()?,
        };
        let b = match b {
            Some(b) => b,
            None => self.zero()?,
        };
        nonzero(self.b.cond(c, a, b)?)
    }

    /// A call of the built-in `name`, which must still be that built-in in
    /// the context (else the derivative could not be written down).
    fn builtin(
        &mut self,
        name: &str,
        want: Builtin,
        args: &[&'a Ast<'a>],
    ) -> Result<&'a Ast<'a>, Error> {
        match self.ctx.function(name).map(|f| &f.def) {
            Some(FunctionDef::Builtin(b)) if *b == want => self.b.call(name, args),
            _ => Err(Error::new(ErrorKind::NotDifferentiable, self.b.span)),
        }
    }

    fn f1(&mut self, name: &str, f: Func1, a: &'a Ast<'a>) -> Result<&'a Ast<'a>, Error> {
        self.builtin(name, Builtin::F1(f), &[a])
    }

    fn combine(&mut self, node: &'a Ast<'a>, kids: &[D<'a>]) -> Result<Step<'a>, Error> {
        let d = match (node.kind, kids) {
            (AstKind::Unary(UnaryOp::Neg, _), &[da]) => self.negate(da)?,
            (AstKind::Unary(_, _), &[da]) => da,
            (AstKind::Conditional(c, _, _), &[da, db]) => self.choose(c, da, db)?,
            (AstKind::Binary(op, a, b), &[da, db]) => self.binary(node, op, a, b, da, db)?,
            (AstKind::Call { name, args, .. }, kids) => return self.call(node, name, args, kids),
            _ => None,
        };
        Ok(Step::Value(d))
    }

    fn binary(
        &mut self,
        node: &'a Ast<'a>,
        op: BinaryOp,
        a: &'a Ast<'a>,
        b: &'a Ast<'a>,
        da: D<'a>,
        db: D<'a>,
    ) -> Result<D<'a>, Error> {
        Ok(match op {
            BinaryOp::Add => self.plus(da, db)?,
            BinaryOp::Sub => self.minus(da, db)?,
            BinaryOp::Mul => {
                // a' * b + a * b'
                let left = match da {
                    Some(da) => nonzero(self.b.mul(da, b)?)?,
                    None => None,
                };
                let right = self.times(a, db)?;
                self.plus(left, right)?
            }
            BinaryOp::Div => match (da, db) {
                (da, None) => self.over(da, b)?,
                (da, Some(db)) => {
                    // (a' * b - a * b') / b^2
                    let top_left = self.times(b, da)?;
                    let top_right = self.times(a, Some(db))?;
                    let top = self.minus(top_left, top_right)?;
                    let two = self.b.number(2.0)?;
                    let square = self.b.pow(b, two)?;
                    self.over(top, square)?
                }
            },
            BinaryOp::Rem => self.fmod(a, b, da, db)?,
            BinaryOp::Pow => self.pow(node, a, b, da, db)?,
            _ => None,
        })
    }

    /// `d(a % b) = a' - trunc(a / b) * b'`.
    fn fmod(
        &mut self,
        a: &'a Ast<'a>,
        b: &'a Ast<'a>,
        da: D<'a>,
        db: D<'a>,
    ) -> Result<D<'a>, Error> {
        let Some(db) = db else { return Ok(da) };
        let ratio = self.b.div(a, b)?;
        let t = self.f1("trunc", Func1::Trunc, ratio)?;
        let right = self.times(t, Some(db))?;
        self.minus(da, right)
    }

    /// `d(a^b)`; `power` is the node `a^b` (or `pow(a, b)`) itself.
    fn pow(
        &mut self,
        power: &'a Ast<'a>,
        a: &'a Ast<'a>,
        b: &'a Ast<'a>,
        da: D<'a>,
        db: D<'a>,
    ) -> Result<D<'a>, Error> {
        match (da, db) {
            (None, None) => Ok(None),
            (da, None) => {
                // b * a^(b - 1) * a'
                let one = self.one()?;
                let lower = self.b.sub(b, one)?;
                let p = self.b.pow(a, lower)?;
                let scaled = self.b.mul(b, p)?;
                self.times(scaled, da)
            }
            (None, db) => {
                // a^b * ln(a) * b'
                let ln = self.f1("ln", Func1::Ln, a)?;
                let factor = self.b.mul(power, ln)?;
                self.times(factor, db)
            }
            (Some(da), Some(db)) => {
                // a^b * (b' * ln(a) + b * a' / a)
                let ln = self.f1("ln", Func1::Ln, a)?;
                let left = self.times(ln, Some(db))?;
                let ba = self.times(b, Some(da))?;
                let right = self.over(ba, a)?;
                let sum = self.plus(left, right)?;
                self.times(power, sum)
            }
        }
    }

    fn call(
        &mut self,
        node: &'a Ast<'a>,
        name: &'a str,
        args: &'a [Ast<'a>],
        kids: &[D<'a>],
    ) -> Result<Step<'a>, Error> {
        if kids.iter().all(Option::is_none) {
            return Ok(Step::Value(None));
        }
        let span = self.b.span;
        let function = resolve::call(name, span, span, args.len(), self.ctx)?;
        let args_ref: Vec<&'a Ast<'a>> = args.iter().collect();
        if self.ctx.has_derivatives(name) {
            return Ok(Step::Value(self.registered(name, &args_ref, kids)?));
        }
        let d = match &function.def {
            FunctionDef::Builtin(b) => self.builtin_rule(node, *b, &args_ref, kids)?,
            FunctionDef::Native(..) => {
                return Err(Error::new(ErrorKind::NotDifferentiable, span));
            }
            FunctionDef::Expression(definition, _) => {
                return self.expand(name, definition, &args_ref, kids);
            }
        };
        Ok(Step::Value(d))
    }

    /// `Σ ∂f/∂aᵢ(args) * aᵢ'` from the registered partial derivatives.
    fn registered(
        &mut self,
        name: &str,
        args: &[&'a Ast<'a>],
        kids: &[D<'a>],
    ) -> Result<D<'a>, Error> {
        let mut sum = None;
        for (i, &dk) in kids.iter().enumerate() {
            if dk.is_none() {
                continue;
            }
            let Some(partial) = self.ctx.derivative_of(name, i) else {
                return Err(Error::new(ErrorKind::NotDifferentiable, self.b.span));
            };
            resolve::call(partial, self.b.span, self.b.span, args.len(), self.ctx)
                .map_err(|_| Error::new(ErrorKind::NotDifferentiable, self.b.span))?;
            let call = self.b.call(partial, args)?;
            let term = self.times(call, dk)?;
            sum = self.plus(sum, term)?;
        }
        Ok(sum)
    }

    /// Differentiates an expression function through its body.
    fn expand(
        &mut self,
        name: &'a str,
        definition: &str,
        args: &[&'a Ast<'a>],
        kids: &[D<'a>],
    ) -> Result<Step<'a>, Error> {
        if self.active.is_empty() {
            self.outer = self.b.span;
        }
        let span = self.outer;
        if self.active.contains(&name) {
            return Err(Error::new(ErrorKind::NotDifferentiable, span));
        }
        let def = parse_definition(definition, self.b.arena, self.ctx.limits())
            .map_err(|_| Error::new(ErrorKind::NotDifferentiable, span))?;
        let memo_len = self.memo.len();
        for (arg, &d) in args.iter().zip(kids) {
            self.memo.push((*arg as *const Ast<'a>, d));
        }
        let body = self.substitute(def.body, def.params, args)?;
        self.active.push(name);
        Ok(Step::Expand(body, memo_len))
    }

    /// The body with the arguments in place of the parameters and the
    /// context's constants in place of the names they bind; every node
    /// gets the outermost call's span.
    fn substitute(
        &mut self,
        body: &'a Ast<'a>,
        names: &[&str],
        args: &[&'a Ast<'a>],
    ) -> Result<&'a Ast<'a>, Error> {
        let span = self.outer;
        let ctx = self.ctx;
        let top = self.params;
        crate::simplify::rebuild(body, &mut self.b, |b, node, kids| {
            b.span = span;
            Ok(match node.kind {
                AstKind::Name(n) => match names.iter().position(|p| *p == n) {
                    Some(i) => args[i],
                    None => match resolve::value(n, span, &[], ctx)? {
                        Value::Constant(k) => literal(b, k.to_f64())?,
                        _ => return Err(Error::new(ErrorKind::NotDifferentiable, span)),
                    },
                },
                AstKind::Field { object, field, .. } => {
                    match resolve::field(object, field, span, &[], ctx)? {
                        Field::Constant(k) => literal(b, k.to_f64())?,
                        _ => return Err(Error::new(ErrorKind::NotDifferentiable, span)),
                    }
                }
                AstKind::Index { name, .. } if top.contains(&name) => {
                    // A top-level parameter would hide the array.
                    return Err(Error::new(ErrorKind::NotDifferentiable, span));
                }
                AstKind::Number(_) => b.node(node.kind)?,
                AstKind::Unary(op, _) => b.node(AstKind::Unary(op, kids[0]))?,
                AstKind::Binary(op, _, _) => b.node(AstKind::Binary(op, kids[0], kids[1]))?,
                AstKind::Conditional(..) => {
                    b.node(AstKind::Conditional(kids[0], kids[1], kids[2]))?
                }
                AstKind::Call { name, .. } => b.call(name, kids)?,
                AstKind::Index { name, .. } => b.node(AstKind::Index {
                    name,
                    name_span: span,
                    index: kids[0],
                })?,
            })
        })
    }

    fn builtin_rule(
        &mut self,
        node: &'a Ast<'a>,
        builtin: Builtin,
        args: &[&'a Ast<'a>],
        kids: &[D<'a>],
    ) -> Result<D<'a>, Error> {
        match (builtin, args, kids) {
            (Builtin::F1(f), &[a], &[da]) => self.func1(node, f, a, da),
            (Builtin::F2(f), &[a, b], &[da, db]) => self.func2(node, f, a, b, da, db),
            (Builtin::Min, ..) | (Builtin::Max, ..) => {
                let is_min = builtin == Builtin::Min;
                self.min_max(is_min, args, kids)
            }
            (Builtin::Clamp, &[x, lo, hi], &[dx, dlo, dhi]) => {
                // clamp(x, lo, hi) = min(max(x, lo), hi)
                let inner = self.builtin("max", Builtin::Max, &[x, lo])?;
                let below = self.b.node(AstKind::Binary(BinaryOp::Gt, lo, x))?;
                let d_inner = self.choose(below, dlo, dx)?;
                let above = self.b.node(AstKind::Binary(BinaryOp::Lt, hi, inner))?;
                self.choose(above, dhi, d_inner)
            }
            _ => Err(Error::new(ErrorKind::Arity, self.b.span)),
        }
    }

    /// `min`/`max` folded left: each step picks the new argument's
    /// derivative where it wins, else the running one.
    fn min_max(
        &mut self,
        is_min: bool,
        args: &[&'a Ast<'a>],
        kids: &[D<'a>],
    ) -> Result<D<'a>, Error> {
        let (name, want, op) = if is_min {
            ("min", Builtin::Min, BinaryOp::Lt)
        } else {
            ("max", Builtin::Max, BinaryOp::Gt)
        };
        let mut running = args[0];
        let mut d = kids[0];
        for k in 1..args.len() {
            let wins = self.b.node(AstKind::Binary(op, args[k], running))?;
            d = self.choose(wins, kids[k], d)?;
            running = self.builtin(name, want, &args[..=k])?;
        }
        Ok(d)
    }

    fn func1(
        &mut self,
        node: &'a Ast<'a>,
        f: Func1,
        a: &'a Ast<'a>,
        da: D<'a>,
    ) -> Result<D<'a>, Error> {
        let d = match f {
            Func1::Sign | Func1::Floor | Func1::Ceil | Func1::Trunc | Func1::Round => None,
            Func1::Abs => {
                let s = self.f1("sign", Func1::Sign, a)?;
                self.times(s, da)?
            }
            Func1::Sqrt => {
                let k = self.b.number(2.0)?;
                let den = self.b.mul(k, node)?;
                self.over(da, den)?
            }
            Func1::Cbrt => {
                let (k, e) = (self.b.number(3.0)?, self.b.number(2.0)?);
                let sq = self.b.pow(node, e)?;
                let den = self.b.mul(k, sq)?;
                self.over(da, den)?
            }
            Func1::Exp => self.times(node, da)?,
            Func1::Ln => self.over(da, a)?,
            Func1::Log10 | Func1::Log2 => {
                let base = self.b.number(if f == Func1::Log10 { 10.0 } else { 2.0 })?;
                let ln = self.f1("ln", Func1::Ln, base)?;
                let den = self.b.mul(a, ln)?;
                self.over(da, den)?
            }
            Func1::Sin => {
                let c = self.f1("cos", Func1::Cos, a)?;
                self.times(c, da)?
            }
            Func1::Cos => {
                let s = self.f1("sin", Func1::Sin, a)?;
                let t = self.times(s, da)?;
                self.negate(t)?
            }
            Func1::Tan => {
                let c = self.f1("cos", Func1::Cos, a)?;
                let e = self.b.number(2.0)?;
                let den = self.b.pow(c, e)?;
                self.over(da, den)?
            }
            Func1::Asin | Func1::Acos => {
                // ±a' / sqrt(1 - a^2)
                let (one, e) = (self.one()?, self.b.number(2.0)?);
                let sq = self.b.pow(a, e)?;
                let inner = self.b.sub(one, sq)?;
                let root = self.f1("sqrt", Func1::Sqrt, inner)?;
                let q = self.over(da, root)?;
                if f == Func1::Acos { self.negate(q)? } else { q }
            }
            Func1::Atan | Func1::Atanh => {
                // a' / (1 ± a^2)
                let (one, e) = (self.one()?, self.b.number(2.0)?);
                let sq = self.b.pow(a, e)?;
                let den = if f == Func1::Atan {
                    self.b.add(one, sq)?
                } else {
                    self.b.sub(one, sq)?
                };
                self.over(da, den)?
            }
            Func1::Sinh => {
                let c = self.f1("cosh", Func1::Cosh, a)?;
                self.times(c, da)?
            }
            Func1::Cosh => {
                let s = self.f1("sinh", Func1::Sinh, a)?;
                self.times(s, da)?
            }
            Func1::Tanh => {
                let c = self.f1("cosh", Func1::Cosh, a)?;
                let e = self.b.number(2.0)?;
                let den = self.b.pow(c, e)?;
                self.over(da, den)?
            }
            Func1::Asinh | Func1::Acosh => {
                // a' / sqrt(a^2 ± 1)
                let (one, e) = (self.one()?, self.b.number(2.0)?);
                let sq = self.b.pow(a, e)?;
                let inner = if f == Func1::Asinh {
                    self.b.add(sq, one)?
                } else {
                    self.b.sub(sq, one)?
                };
                let root = self.f1("sqrt", Func1::Sqrt, inner)?;
                self.over(da, root)?
            }
        };
        Ok(d)
    }

    fn func2(
        &mut self,
        node: &'a Ast<'a>,
        f: Func2,
        a: &'a Ast<'a>,
        b: &'a Ast<'a>,
        da: D<'a>,
        db: D<'a>,
    ) -> Result<D<'a>, Error> {
        match f {
            Func2::Pow => self.pow(node, a, b, da, db),
            Func2::Fmod => self.fmod(a, b, da, db),
            Func2::Atan2 => {
                // atan2(y, x)' = (x * y' - y * x') / (x^2 + y^2)
                let left = self.times(b, da)?;
                let right = self.times(a, db)?;
                let top = self.minus(left, right)?;
                let (e1, e2) = (self.b.number(2.0)?, self.b.number(2.0)?);
                let (x2, y2) = (self.b.pow(b, e1)?, self.b.pow(a, e2)?);
                let den = self.b.add(x2, y2)?;
                self.over(top, den)
            }
            Func2::Hypot => {
                // (a * a' + b * b') / hypot(a, b)
                let left = self.times(a, da)?;
                let right = self.times(b, db)?;
                let top = self.plus(left, right)?;
                self.over(top, node)
            }
            Func2::Min | Func2::Max => self.min_max(f == Func2::Min, &[a, b], &[da, db]),
        }
    }
}

/// What combining a node gives: its derivative, or a function body to
/// differentiate in its place.
enum Step<'a> {
    Value(D<'a>),
    Expand(&'a Ast<'a>, usize),
}

fn push_children<'a>(node: &'a Ast<'a>, tasks: &mut Vec<Task<'a>>) {
    tasks.push(Task::Combine(node));
    let first = tasks.len();
    tasks.extend(node.children().map(Task::Visit));
    tasks[first..].reverse();
}

/// A built constant 0 is a structural zero.
fn nonzero<'a>(node: &'a Ast<'a>) -> Result<D<'a>, Error> {
    Ok((!is(node, 0.0)).then_some(node))
}

/// A context constant as source: its shortest literal, `1/0` for
/// infinity, `0/0` for NaN, under `-` when negative.
fn literal<'a>(b: &mut Builder<'a>, v: f64) -> Result<&'a Ast<'a>, Error> {
    if v.is_finite() {
        return b.number(v);
    }
    let one = b.number(if v.is_nan() { 0.0 } else { 1.0 })?;
    let zero = b.number(0.0)?;
    let q = b.node(AstKind::Binary(BinaryOp::Div, one, zero))?;
    if v < 0.0 {
        b.node(AstKind::Unary(UnaryOp::Neg, q))
    } else {
        Ok(q)
    }
}
