//! [`eval_ast`]: evaluates a tree directly, the original exp-rs way.
//!
//! This is the compatibility path. It looks every name up in the context
//! on every call (constants play the role of the seed's variables) and
//! recurses over the tree, and into expression-function bodies, at most
//! [`WALK_LEVELS`] deep in all; it allocates nothing, except that a call to
//! an expression function parses that function's body into a scratch arena.
//! For repeated evaluation compile an [`Expr`](crate::Expr) or a
//! [`Batch`](crate::Batch): they resolve names once and never allocate.

use alloc::vec::Vec;

use bumpalo::Bump;

use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::builtins::{Builtin, Func2};
use crate::context::{Context, Function};
use crate::error::{Error, ErrorKind, Span};
use crate::parser::parse_definition;
use crate::program::{Op, element};
use crate::real::Real;

/// Evaluates a tree from [`parse_expression_arena`](crate::parse_expression_arena)
/// against a context whose constants hold the variables.
///
/// # Example
/// ```
/// use bumpalo::Bump;
/// use exp_rs::{Context, eval_ast, parse_expression_arena};
///
/// let arena = Bump::with_capacity(64 * 1024);
/// let ast = parse_expression_arena("x * sin(y) + z", &arena).unwrap();
/// let mut ctx = Context::<f64>::new();
/// for i in 0..100 {
///     ctx.set_constant("x", 2.0);
///     ctx.set_constant("y", 0.0);
///     ctx.set_constant("z", i as f64);
///     assert_eq!(eval_ast(ast, &ctx).unwrap(), i as f64);
/// }
/// ```
pub fn eval_ast<R: Real>(ast: &Ast<'_>, ctx: &Context<R>) -> Result<R, Error> {
    Walker {
        ctx,
        levels: 0,
        calls: 0,
        total_calls: 0,
    }
    .eval(ast, &[])
}

/// How deep [`eval_ast`] recurses at most, counting the levels of the tree
/// and of every expression-function body on the current call chain. Past
/// it an evaluation fails (`RecursionLimit` inside a call, `TooDeep` at top
/// level) instead of overflowing the stack: 256 nested calls of bodies 256
/// deep, which `Limits::DEFAULT` admits, would need 65,536 levels. Measured
/// on x86-64: 1,024 levels take 0.3 MB of stack optimised and 1.3 MB
/// unoptimised, so they fit a 2 MiB thread either way. The compiled
/// [`Expr`](crate::Expr) has no such limit: it does not recurse.
pub const WALK_LEVELS: u32 = 1024;

struct Walker<'c, R: Real> {
    ctx: &'c Context<R>,
    /// Levels of recursion in progress, at most [`WALK_LEVELS`].
    levels: u32,
    /// Calls in progress (nesting depth).
    calls: u32,
    /// Calls made so far in this evaluation.
    total_calls: u32,
}

/// Arguments a native call gathers without allocating.
const INLINE_ARGS: usize = 8;

impl<R: Real> Walker<'_, R> {
    /// Evaluates `node`; `locals` are the arguments of the expression
    /// function being evaluated (empty at top level), by parameter name.
    fn eval(&mut self, node: &Ast<'_>, locals: &[(&str, R)]) -> Result<R, Error> {
        if self.levels >= WALK_LEVELS {
            let kind = if self.calls > 0 {
                ErrorKind::RecursionLimit
            } else {
                ErrorKind::TooDeep
            };
            return Err(Error::new(kind, node.span));
        }
        self.levels += 1;
        let result = self.eval_node(node, locals);
        self.levels -= 1;
        result
    }

    /// [`Walker::eval`] for one node, without the level count.
    fn eval_node(&mut self, node: &Ast<'_>, locals: &[(&str, R)]) -> Result<R, Error> {
        match node.kind {
            AstKind::Number(text) => {
                R::parse_literal(text).ok_or(Error::new(ErrorKind::InvalidNumber, node.span))
            }
            AstKind::Name(name) => self.value(name, node.span, locals),
            AstKind::Unary(op, a) => {
                let v = self.eval(a, locals)?;
                Ok(match op {
                    UnaryOp::Neg => -v,
                    UnaryOp::Plus => v,
                    UnaryOp::Not => R::from_bool(!v.truthy()),
                })
            }
            AstKind::Binary(op, a, b) => {
                let Some(op) = Op::from_binary(op) else {
                    let x = self.eval(a, locals)?;
                    return match op {
                        BinaryOp::And if x.truthy() => {
                            Ok(R::from_bool(self.eval(b, locals)?.truthy()))
                        }
                        BinaryOp::Or if !x.truthy() => {
                            Ok(R::from_bool(self.eval(b, locals)?.truthy()))
                        }
                        BinaryOp::And | BinaryOp::Or => Ok(R::from_bool(x.truthy())),
                        _ => self.eval(b, locals), // `,`
                    };
                };
                let x = self.eval(a, locals)?;
                let y = self.eval(b, locals)?;
                Ok(op.apply(x, y))
            }
            AstKind::Conditional(c, a, b) => {
                if self.eval(c, locals)?.truthy() {
                    self.eval(a, locals)
                } else {
                    self.eval(b, locals)
                }
            }
            AstKind::Call {
                name,
                name_span,
                args,
            } => self.call(node, name, name_span, args, locals),
            AstKind::Index {
                name,
                name_span,
                index,
            } => {
                let Some(array) = self.ctx.array(name) else {
                    let known =
                        locals.iter().any(|l| l.0 == name) || self.ctx.constant(name).is_some();
                    let kind = if known {
                        ErrorKind::NotAnArray
                    } else {
                        ErrorKind::UnknownVariable
                    };
                    return Err(Error::new(kind, name_span));
                };
                let i = self.eval(index, locals)?;
                element(array, i).ok_or(Error::new(ErrorKind::IndexOutOfBounds, node.span))
            }
            AstKind::Field {
                object,
                object_span,
                field,
                field_span,
            } => match self.ctx.object(object) {
                Some(fields) => fields
                    .get(field)
                    .copied()
                    .ok_or(Error::new(ErrorKind::UnknownField, field_span)),
                None => Err(Error::new(ErrorKind::UnknownVariable, object_span)),
            },
        }
    }

    fn value(&self, name: &str, span: Span, locals: &[(&str, R)]) -> Result<R, Error> {
        if let Some(&(_, v)) = locals.iter().find(|l| l.0 == name) {
            return Ok(v);
        }
        if let Some(v) = self.ctx.constant(name) {
            return Ok(v);
        }
        let ctx = self.ctx;
        if ctx.function(name).is_some() || ctx.array(name).is_some() || ctx.object(name).is_some() {
            return Err(Error::new(ErrorKind::NotAValue, span));
        }
        Err(Error::new(ErrorKind::UnknownVariable, span))
    }

    fn call(
        &mut self,
        node: &Ast<'_>,
        name: &str,
        name_span: Span,
        args: &[Ast<'_>],
        locals: &[(&str, R)],
    ) -> Result<R, Error> {
        let ctx = self.ctx;
        let Some(function) = ctx.function(name) else {
            return Err(Error::new(ErrorKind::UnknownFunction, name_span));
        };
        if !function.arity().accepts(args.len()) {
            return Err(Error::new(ErrorKind::Arity, node.span));
        }
        let arg = |w: &mut Self, i: usize| match args.get(i) {
            Some(a) => w.eval(a, locals),
            None => Err(Error::new(ErrorKind::Arity, node.span)),
        };
        match function {
            Function::Builtin(Builtin::F1(f)) => Ok(f.apply(arg(self, 0)?)),
            Function::Builtin(Builtin::F2(f)) => {
                let a = arg(self, 0)?;
                Ok(f.apply(a, arg(self, 1)?))
            }
            Function::Builtin(b @ (Builtin::Min | Builtin::Max)) => {
                let f = if *b == Builtin::Min {
                    Func2::Min
                } else {
                    Func2::Max
                };
                let mut acc = arg(self, 0)?;
                for i in 1..args.len() {
                    acc = f.apply(acc, arg(self, i)?);
                }
                Ok(acc)
            }
            Function::Builtin(Builtin::Clamp) => {
                let x = arg(self, 0)?;
                let lo = arg(self, 1)?;
                let hi = arg(self, 2)?;
                Ok(x.fmax(lo).fmin(hi))
            }
            Function::Native(native) => {
                let mut inline = [R::ZERO; INLINE_ARGS];
                let mut spill = Vec::new();
                let values: &[R] = if args.len() <= INLINE_ARGS {
                    for (i, slot) in inline.iter_mut().enumerate().take(args.len()) {
                        *slot = arg(self, i)?;
                    }
                    inline.get(..args.len()).unwrap_or(&[])
                } else {
                    for i in 0..args.len() {
                        spill.push(arg(self, i)?);
                    }
                    &spill
                };
                (native.func)(values).map_err(|_| Error::new(ErrorKind::Callback, node.span))
            }
            Function::Expr(f) => {
                let scratch = Bump::new();
                let def = parse_definition(&f.source, &scratch, ctx.limits())
                    .map_err(|e| Error::new(e.kind, node.span))?;
                let mut frame = Vec::with_capacity(def.params.len());
                for (i, &p) in def.params.iter().enumerate() {
                    frame.push((p, arg(self, i)?));
                }
                // Checked after the arguments, which may call too: the
                // order the compiled program counts in.
                let limits = ctx.limits();
                if self.calls >= limits.max_calls || self.total_calls >= limits.max_total_calls {
                    return Err(Error::new(ErrorKind::RecursionLimit, node.span));
                }
                self.calls += 1;
                self.total_calls += 1;
                // Spans inside the body are into the definition's source:
                // report errors at this call instead.
                let result = self
                    .eval(def.body, &frame)
                    .map_err(|e| Error::new(e.kind, node.span));
                self.calls -= 1;
                result
            }
        }
    }
}
