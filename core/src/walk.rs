//! [`eval_ast`]: evaluates a tree directly, the original exp-rs way.
//!
//! This is the compatibility path, and the compiled path's independent
//! check: it resolves names with the same resolver ([`crate::resolve`]) and
//! reports the same errors, but computes by recursing over the tree (and
//! into expression-function bodies), at most [`WALK_LEVELS`] deep in all.
//! Before evaluating anything it checks every name of the tree and of the
//! expression functions it calls, in the compiler's order, so a name error
//! in a branch that never runs is still an error, as when compiling. It
//! allocates nothing, except that calling expression functions parses them
//! into a scratch arena. For repeated evaluation compile an
//! [`Expr`](crate::Expr) or a [`Batch`](crate::Batch).

use alloc::vec::Vec;

use bumpalo::Bump;

use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::builtins::{Builtin, Func2};
use crate::context::{Context, FunctionDef};
use crate::error::{Error, ErrorKind, Span};
use crate::parser::{Definition, parse_definition};
use crate::program::{Op, element};
use crate::real::Real;
use crate::resolve::{self, Field, Value};

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
    let scratch = Bump::new();
    let mut walker = Walker {
        ctx,
        scratch: &scratch,
        functions: Vec::new(),
        root: ast.span,
        levels: 0,
        calls: 0,
        total_calls: 0,
        steps: ctx.limits().max_steps,
    };
    walker.check(ast)?;
    let top = Frame {
        names: &[],
        values: &[],
    };
    walker.eval(ast, &top)
}

/// How deep [`eval_ast`] recurses at most, counting the levels of the tree
/// and of every expression-function body on the current call chain. Past
/// it an evaluation fails (`RecursionLimit` inside a call, `TooDeep` at top
/// level) instead of overflowing the stack: 256 nested calls of bodies 256
/// deep, which `Limits::DEFAULT` admits, would need 65,536 levels; 1,024
/// levels fit a 2 MiB thread optimised or not (ARCHITECTURE.md, "Stack
/// use"). The compiled [`Expr`](crate::Expr) has no such limit: it does not
/// recurse.
pub const WALK_LEVELS: u32 = 1024;

/// The arguments of the expression function being evaluated.
struct Frame<'f, R> {
    names: &'f [&'f str],
    values: &'f [R],
}

impl<R> Frame<'_, R> {
    fn value(&self, i: u32) -> R
    where
        R: Real,
    {
        self.values.get(i as usize).copied().unwrap_or(R::NAN)
    }
}

struct Walker<'c, 's, R: Real> {
    ctx: &'c Context<R>,
    /// Where called expression functions are parsed, once each.
    scratch: &'s Bump,
    /// The expression functions the tree calls (transitively), parsed,
    /// with the top-level call their errors are reported at.
    functions: Vec<(&'s str, Definition<'s>, Span)>,
    /// The whole expression, where `StepLimit` is reported.
    root: Span,
    /// Levels of recursion in progress, at most [`WALK_LEVELS`].
    levels: u32,
    /// Calls in progress (nesting depth).
    calls: u32,
    /// Calls made so far in this evaluation.
    total_calls: u32,
    /// Steps left: one per node evaluated. (The compiled path counts
    /// instructions, so on a long run the two stop at different points.)
    steps: u32,
}

/// Arguments a native call gathers without allocating.
const INLINE_ARGS: usize = 8;

impl<'s, R: Real> Walker<'_, 's, R> {
    /// Checks every name, call and literal of the tree, then of each
    /// expression function it calls, in the order the compiler does; errors
    /// inside a body are reported at the top-level call that first needed it.
    fn check(&mut self, ast: &Ast<'_>) -> Result<(), Error> {
        self.check_node(ast, &[], None, 0)?;
        let mut next = 0;
        while let Some(&(_, def, origin)) = self.functions.get(next) {
            next += 1;
            self.check_node(def.body, def.params, Some(origin), 0)
                .map_err(|e| Error::new(e.kind, origin))?;
        }
        Ok(())
    }

    fn check_node(
        &mut self,
        node: &Ast<'_>,
        params: &[&str],
        origin: Option<Span>,
        levels: u32,
    ) -> Result<(), Error> {
        if levels >= WALK_LEVELS {
            return Err(Error::new(ErrorKind::TooDeep, node.span));
        }
        let ctx = self.ctx;
        match node.kind {
            AstKind::Number(text) => {
                R::parse_literal(text).ok_or(Error::new(ErrorKind::InvalidNumber, node.span))?;
            }
            AstKind::Name(name) => {
                if resolve::value(name, node.span, params, ctx)? == Value::Free {
                    return Err(Error::new(ErrorKind::UnknownVariable, node.span));
                }
            }
            AstKind::Field {
                object,
                object_span,
                field,
                field_span,
            } => {
                if resolve::field(object, field, field_span, params, ctx)? == Field::Free {
                    return Err(Error::new(ErrorKind::UnknownVariable, object_span));
                }
            }
            AstKind::Index {
                name, name_span, ..
            } => {
                resolve::index(name, name_span, params, ctx)?;
            }
            AstKind::Call {
                name,
                name_span,
                args,
            } => self.check_call(node, name, name_span, args.len(), origin)?,
            AstKind::Unary(..) | AstKind::Binary(..) | AstKind::Conditional(..) => {}
        }
        for child in node.children() {
            self.check_node(child, params, origin, levels + 1)?;
        }
        Ok(())
    }

    /// A call's name and arity; an expression function called for the
    /// first time is parsed (its errors are at the call) and queued.
    fn check_call(
        &mut self,
        node: &Ast<'_>,
        name: &str,
        name_span: Span,
        argc: usize,
        origin: Option<Span>,
    ) -> Result<(), Error> {
        let ctx = self.ctx;
        let function = resolve::call(name, name_span, node.span, argc, ctx)?;
        if let FunctionDef::Expression(source, _) = &function.def {
            if !self.functions.iter().any(|f| f.0 == name) {
                let full = Error::new(ErrorKind::ArenaFull, node.span);
                let source: &'s str = self.scratch.try_alloc_str(source).map_err(|_| full)?;
                let def = parse_definition(source, self.scratch, ctx.limits())
                    .map_err(|e| Error::new(e.kind, node.span))?;
                let origin = origin.unwrap_or(node.span);
                self.functions.push((def.name, def, origin));
            }
        }
        Ok(())
    }

    /// Evaluates `node` in `frame` (the arguments of the expression
    /// function being evaluated; none at top level).
    fn eval(&mut self, node: &Ast<'_>, frame: &Frame<'_, R>) -> Result<R, Error> {
        if self.levels >= WALK_LEVELS {
            let kind = if self.calls > 0 {
                ErrorKind::RecursionLimit
            } else {
                ErrorKind::TooDeep
            };
            return Err(Error::new(kind, node.span));
        }
        if self.steps == 0 {
            return Err(Error::new(ErrorKind::StepLimit, self.root));
        }
        self.steps -= 1;
        self.levels += 1;
        let result = self.eval_node(node, frame);
        self.levels -= 1;
        result
    }

    /// [`Walker::eval`] for one node, without the level and step count.
    fn eval_node(&mut self, node: &Ast<'_>, frame: &Frame<'_, R>) -> Result<R, Error> {
        let ctx = self.ctx;
        match node.kind {
            AstKind::Number(text) => {
                R::parse_literal(text).ok_or(Error::new(ErrorKind::InvalidNumber, node.span))
            }
            AstKind::Name(name) => match resolve::value(name, node.span, frame.names, ctx)? {
                Value::Param(i) => Ok(frame.value(i)),
                Value::Constant(k) => Ok(k),
                Value::Free => Err(Error::new(ErrorKind::UnknownVariable, node.span)),
            },
            AstKind::Unary(op, a) => {
                let v = self.eval(a, frame)?;
                Ok(match op {
                    UnaryOp::Neg => -v,
                    UnaryOp::Plus => v,
                    UnaryOp::Not => R::from_bool(!v.truthy()),
                })
            }
            AstKind::Binary(op, a, b) => {
                let Some(op) = Op::from_binary(op) else {
                    let x = self.eval(a, frame)?;
                    return match op {
                        BinaryOp::And if x.truthy() => {
                            Ok(R::from_bool(self.eval(b, frame)?.truthy()))
                        }
                        BinaryOp::Or if !x.truthy() => {
                            Ok(R::from_bool(self.eval(b, frame)?.truthy()))
                        }
                        BinaryOp::And | BinaryOp::Or => Ok(R::from_bool(x.truthy())),
                        _ => self.eval(b, frame), // `,`
                    };
                };
                let x = self.eval(a, frame)?;
                let y = self.eval(b, frame)?;
                Ok(op.apply(x, y))
            }
            AstKind::Conditional(c, a, b) => {
                if self.eval(c, frame)?.truthy() {
                    self.eval(a, frame)
                } else {
                    self.eval(b, frame)
                }
            }
            AstKind::Call {
                name,
                name_span,
                args,
            } => self.call(node, name, name_span, args, frame),
            AstKind::Index {
                name,
                name_span,
                index,
            } => {
                let array = resolve::index(name, name_span, frame.names, ctx)?;
                let i = self.eval(index, frame)?;
                element(array, i).ok_or(Error::new(ErrorKind::IndexOutOfBounds, node.span))
            }
            AstKind::Field {
                object,
                object_span,
                field,
                field_span,
            } => match resolve::field(object, field, field_span, frame.names, ctx)? {
                Field::Param(i) => Ok(frame.value(i)),
                Field::Constant(k) => Ok(k),
                Field::Free => Err(Error::new(ErrorKind::UnknownVariable, object_span)),
            },
        }
    }

    fn call(
        &mut self,
        node: &Ast<'_>,
        name: &str,
        name_span: Span,
        args: &[Ast<'_>],
        frame: &Frame<'_, R>,
    ) -> Result<R, Error> {
        let ctx = self.ctx;
        let function = resolve::call(name, name_span, node.span, args.len(), ctx)?;
        let arg = |w: &mut Self, i: usize| match args.get(i) {
            Some(a) => w.eval(a, frame),
            None => Err(Error::new(ErrorKind::Arity, node.span)),
        };
        match &function.def {
            FunctionDef::Builtin(Builtin::F1(f)) => Ok(f.apply(arg(self, 0)?)),
            FunctionDef::Builtin(Builtin::F2(f)) => {
                let a = arg(self, 0)?;
                Ok(f.apply(a, arg(self, 1)?))
            }
            FunctionDef::Builtin(b @ (Builtin::Min | Builtin::Max)) => {
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
            FunctionDef::Builtin(Builtin::Clamp) => {
                let x = arg(self, 0)?;
                let lo = arg(self, 1)?;
                let hi = arg(self, 2)?;
                Ok(x.fmax(lo).fmin(hi))
            }
            FunctionDef::Native(_, func) => {
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
                func(values).map_err(|_| Error::new(ErrorKind::Callback, node.span))
            }
            FunctionDef::Expression(..) => {
                let Some(&(_, def, _)) = self.functions.iter().find(|f| f.0 == name) else {
                    // `check` parsed every function the tree can call.
                    return Err(Error::new(ErrorKind::UnknownFunction, name_span));
                };
                let mut values = Vec::with_capacity(def.params.len());
                for i in 0..def.params.len() {
                    values.push(arg(self, i)?);
                }
                // Checked after the arguments, which may call too: the
                // order the compiled program counts in.
                let limits = ctx.limits();
                if self.calls >= limits.max_calls || self.total_calls >= limits.max_total_calls {
                    return Err(Error::new(ErrorKind::RecursionLimit, node.span));
                }
                self.calls += 1;
                self.total_calls += 1;
                let inner = Frame {
                    names: def.params,
                    values: &values,
                };
                // Spans inside the body are into the definition's source:
                // report errors at this call instead (`StepLimit` is always
                // at the whole expression).
                let result = self.eval(def.body, &inner).map_err(|e| match e.kind {
                    ErrorKind::StepLimit => e,
                    kind => Error::new(kind, node.span),
                });
                self.calls -= 1;
                result
            }
        }
    }
}
