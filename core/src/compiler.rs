//! The compiler: an [`Ast`] in, a [`Program`] in the same arena out.
//!
//! Every name is resolved here, once: a parameter becomes a slot index, a
//! constant its value, a function an instruction or a table index, an
//! expression function a compiled block. Arity is checked, constants are
//! folded, and operands that are constants or parameter slots are fused
//! into the instruction that uses them. The value-stack depth and the call
//! depth are computed so evaluation never grows anything.

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;

use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::builtins::{Builtin, Func1, Func2};
use crate::context::{Context, Function, NativeFn};
use crate::error::{Error, ErrorKind, Span};
use crate::parser::{Definition, parse_definition};
use crate::program::{FunctionBlock, Instr, Op, Program, element};
use crate::real::Real;

/// How names that resolve to nothing are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FreeNames {
    /// An `UnknownVariable` error.
    Error,
    /// A new parameter, appended in order of first appearance.
    AreParams,
}

/// Where a value is, during compilation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Val<R> {
    /// A known constant; no code computes it.
    Const(R),
    /// A parameter slot; no code loads it yet.
    Slot(u32),
    /// An argument of the expression function being compiled.
    Arg(u32),
    /// In the accumulator, computed by the code emitted so far.
    Acc,
}

/// A two-operand operation: an operator or a two-argument built-in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Binop {
    Op(Op),
    F2(Func2),
}

impl Binop {
    fn fold<R: Real>(self, a: R, b: R) -> R {
        match self {
            Binop::Op(op) => op.apply(a, b),
            Binop::F2(f) => f.apply(a, b),
        }
    }
}

/// What the body of a block can see.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// The top-level expression: parameters, constants, arrays, objects.
    Main,
    /// An expression function: its own parameters and the constants.
    Function(&'a [&'a str]),
}

/// Compiles `ast` with the parameters in `params` (extended in place when
/// `free` is [`FreeNames::AreParams`]).
pub(crate) fn compile<'a, R: Real>(
    ast: &'a Ast<'a>,
    ctx: &'a Context<R>,
    arena: &'a Bump,
    params: &mut BumpVec<'a, &'a str>,
    free: FreeNames,
) -> Result<Program<'a, R>, Error> {
    let mut c = Compiler {
        ctx,
        arena,
        params,
        free,
        code: BumpVec::new_in(arena),
        natives: BumpVec::new_in(arena),
        arrays: BumpVec::new_in(arena),
        functions: BumpVec::new_in(arena),
        bodies: BumpVec::new_in(arena),
        calls: BumpVec::new_in(arena),
        scope: Scope::Main,
        block: 0,
        depth: 0,
        max_depth: 0,
        label: 0,
    };
    let v = c.expr(ast)?;
    c.load(v)?;
    c.emit(Instr::Ret)?;
    let main_stack = c.max_depth;

    // Expression-function bodies, compiled once each, after the main code.
    let mut fn_stack = 0;
    let mut next = 0;
    while let Some(&(def, origin)) = c.bodies.get(next) {
        next += 1;
        let entry = c.code.len() as u32;
        if let Some(block) = c.functions.get_mut(next - 1) {
            block.entry = entry;
        }
        c.scope = Scope::Function(def.params);
        c.block = next as u32;
        c.depth = 0;
        c.max_depth = 0;
        // Errors inside a body are reported at the call that needed it.
        let at_call = |e: Error| Error::new(e.kind, origin);
        let v = c.expr(def.body).map_err(at_call)?;
        c.load(v).map_err(at_call)?;
        c.emit(Instr::Ret).map_err(at_call)?;
        fn_stack = fn_stack.max(c.max_depth);
    }

    let limit = ctx.limits().max_calls;
    let frames = match longest_call_chain(c.functions.len(), &c.calls) {
        Some(chain) => chain.min(limit),
        None => limit,
    };
    let stack_size = main_stack.saturating_add(frames.saturating_mul(fn_stack));
    let full = Error::new(ErrorKind::ArenaFull, ast.span);
    Ok(Program {
        code: c.code.into_bump_slice(),
        natives: c.natives.into_bump_slice(),
        arrays: c.arrays.into_bump_slice(),
        functions: c.functions.into_bump_slice(),
        params: arena.try_alloc_slice_copy(c.params).map_err(|_| full)?,
        stack_size,
        frame_count: frames,
        max_calls: limit,
    })
}

/// The longest chain of calls starting in block 0, where `calls` holds
/// `(caller block, callee function)` edges and function `f` is block
/// `f + 1`. `None` if the graph has a cycle reachable from block 0.
fn longest_call_chain(functions: usize, calls: &[(u32, u32)]) -> Option<u32> {
    // Longest path by relaxation: with no cycle it settles within
    // `functions + 1` rounds; still changing after that means a cycle.
    let mut longest = [0u32; 1].repeat(functions + 1);
    let mut reached = [false; 1].repeat(functions + 1);
    if let Some(r) = reached.first_mut() {
        *r = true;
    }
    for _ in 0..=functions + 1 {
        let mut changed = false;
        for &(from, to) in calls {
            let (from, to) = (from as usize, to as usize + 1);
            if !reached.get(from).copied().unwrap_or(false) {
                continue;
            }
            let via = longest.get(from).copied().unwrap_or(0) + 1;
            if let (Some(l), Some(r)) = (longest.get_mut(to), reached.get_mut(to)) {
                if !*r || via > *l {
                    *l = via;
                    *r = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return Some(longest.iter().copied().max().unwrap_or(0));
        }
    }
    None
}

struct Compiler<'a, 'p, R: Real> {
    ctx: &'a Context<R>,
    arena: &'a Bump,
    params: &'p mut BumpVec<'a, &'a str>,
    free: FreeNames,
    code: BumpVec<'a, Instr<R>>,
    natives: BumpVec<'a, (&'a str, &'a NativeFn<R>)>,
    arrays: BumpVec<'a, (&'a str, &'a [R])>,
    functions: BumpVec<'a, FunctionBlock<'a>>,
    /// Parsed bodies of `functions`, with the first call's span.
    bodies: BumpVec<'a, (Definition<'a>, Span)>,
    /// `(caller block, callee function)` edges.
    calls: BumpVec<'a, (u32, u32)>,
    scope: Scope<'a>,
    /// The block being compiled: 0 for the main code, `f + 1` for function `f`.
    block: u32,
    /// Value-stack depth at this point of the block, and its maximum.
    depth: u32,
    max_depth: u32,
    /// The latest jump target; no peephole rewrite may look behind it.
    label: usize,
}

fn full(span: Span) -> Error {
    Error::new(ErrorKind::ArenaFull, span)
}

/// Exactly a power of two, 2^k with k >= 0 (so `x * a` is exact).
fn is_pow2_at_least_one(x: f64) -> bool {
    x.is_finite() && x >= 1.0 && (x.to_bits() & ((1u64 << 52) - 1)) == 0
}

/// A power of two whose reciprocal is a normal number in both precisions.
fn is_reciprocal_exact(x: f64) -> bool {
    let a = if x < 0.0 { -x } else { x };
    a.is_finite() && (x.to_bits() & ((1u64 << 52) - 1)) == 0 && (1e-30..=1e30).contains(&a)
}

impl<'a, R: Real> Compiler<'a, '_, R> {
    fn emit(&mut self, instr: Instr<R>) -> Result<(), Error> {
        match instr {
            Instr::Push => self.depth += 1,
            Instr::Bin(_) | Instr::F2(_) => self.depth = self.depth.saturating_sub(1),
            Instr::Native { argc, .. } | Instr::Call { argc, .. } => {
                self.depth = self.depth.saturating_sub(argc);
            }
            _ => {}
        }
        self.max_depth = self.max_depth.max(self.depth);
        self.code
            .try_reserve(1)
            .map_err(|_| full(Span::default()))?;
        self.code.push(instr);
        Ok(())
    }

    /// Marks the current position as a jump target and returns it.
    fn here(&mut self) -> u32 {
        self.label = self.code.len();
        self.code.len() as u32
    }

    fn patch(&mut self, at: usize, target: u32) {
        if let Some(instr) = self.code.get_mut(at) {
            *instr = match *instr {
                Instr::Jump(_) => Instr::Jump(target),
                Instr::JumpIfFalse(_) => Instr::JumpIfFalse(target),
                Instr::AndJump(_) => Instr::AndJump(target),
                Instr::OrJump(_) => Instr::OrJump(target),
                other => other,
            };
        }
    }

    /// Makes sure the value is in the accumulator.
    fn load(&mut self, v: Val<R>) -> Result<(), Error> {
        match v {
            Val::Const(k) => self.emit(Instr::Const(k)),
            Val::Slot(s) => self.emit(Instr::Load(s)),
            Val::Arg(i) => self.emit(Instr::Arg(i)),
            Val::Acc => Ok(()),
        }
    }

    /// Compiles a subtree whose code must not run (the dead side of a
    /// constant condition): its errors still count, its code is dropped.
    fn dead(&mut self, node: &'a Ast<'a>) -> Result<(), Error> {
        let (len, depth) = (self.code.len(), self.depth);
        self.expr(node)?;
        self.code.truncate(len);
        self.depth = depth;
        Ok(())
    }

    fn expr(&mut self, node: &'a Ast<'a>) -> Result<Val<R>, Error> {
        match node.kind {
            AstKind::Number(text) => R::parse_literal(text)
                .map(Val::Const)
                .ok_or(Error::new(ErrorKind::InvalidNumber, node.span)),
            AstKind::Name(name) => self.value(name, node.span),
            AstKind::Unary(op, operand) => {
                let v = self.expr(operand)?;
                let (fold, instr): (fn(R) -> R, _) = match op {
                    UnaryOp::Plus => return Ok(v),
                    UnaryOp::Neg => (|x: R| -x, Instr::Neg),
                    UnaryOp::Not => (|x: R| R::from_bool(!x.truthy()), Instr::Not),
                };
                if let Val::Const(k) = v {
                    return Ok(Val::Const(fold(k)));
                }
                self.load(v)?;
                self.emit(instr)?;
                Ok(Val::Acc)
            }
            AstKind::Binary(op, a, b) => self.binary(op, a, b),
            AstKind::Conditional(c, a, b) => self.conditional(c, a, b),
            AstKind::Call {
                name,
                name_span,
                args,
            } => self.call(node, name, name_span, args),
            AstKind::Index {
                name,
                name_span,
                index,
            } => self.index(node, name, name_span, index),
            AstKind::Field {
                object,
                object_span,
                field,
                field_span,
            } => self.field(object, object_span, field, field_span),
        }
    }

    /// Resolves a bare name used as a value.
    fn value(&mut self, name: &'a str, span: Span) -> Result<Val<R>, Error> {
        match self.scope {
            Scope::Function(params) => {
                if let Some(i) = params.iter().position(|p| *p == name) {
                    return Ok(Val::Arg(i as u32));
                }
            }
            Scope::Main => {
                if let Some(i) = self.params.iter().position(|p| *p == name) {
                    return Ok(Val::Slot(i as u32));
                }
            }
        }
        if let Some(k) = self.ctx.constant(name) {
            return Ok(Val::Const(k));
        }
        let ctx = self.ctx;
        if ctx.function(name).is_some() || ctx.array(name).is_some() || ctx.object(name).is_some() {
            return Err(Error::new(ErrorKind::NotAValue, span));
        }
        self.free_name(name, span)
    }

    /// A name nothing binds: a new parameter, or an error.
    fn free_name(&mut self, name: &'a str, span: Span) -> Result<Val<R>, Error> {
        if matches!(self.scope, Scope::Main) && self.free == FreeNames::AreParams {
            self.params.try_reserve(1).map_err(|_| full(span))?;
            self.params.push(name);
            return Ok(Val::Slot(self.params.len() as u32 - 1));
        }
        Err(Error::new(ErrorKind::UnknownVariable, span))
    }

    fn binary(&mut self, op: BinaryOp, a: &'a Ast<'a>, b: &'a Ast<'a>) -> Result<Val<R>, Error> {
        let op = match op {
            BinaryOp::Seq => {
                // The left side runs for its effects (native calls) only.
                self.expr(a)?;
                return self.expr(b);
            }
            BinaryOp::And => return self.logical(a, b, true),
            BinaryOp::Or => return self.logical(a, b, false),
            BinaryOp::Eq => Op::Eq,
            BinaryOp::Ne => Op::Ne,
            BinaryOp::Lt => Op::Lt,
            BinaryOp::Le => Op::Le,
            BinaryOp::Gt => Op::Gt,
            BinaryOp::Ge => Op::Ge,
            BinaryOp::Add => Op::Add,
            BinaryOp::Sub => Op::Sub,
            BinaryOp::Mul => Op::Mul,
            BinaryOp::Div => Op::Div,
            BinaryOp::Rem => Op::Rem,
            BinaryOp::Pow => Op::Pow,
        };
        let lhs = self.expr(a)?;
        self.apply(Binop::Op(op), lhs, b)
    }

    /// Emits `lhs op rhs`, where `lhs` is already compiled and `rhs` is not.
    fn apply(&mut self, op: Binop, lhs: Val<R>, rhs: &'a Ast<'a>) -> Result<Val<R>, Error> {
        // Arguments and the built-ins' left operands are fused only on the
        // right; load them first.
        let lhs = match (lhs, op) {
            (Val::Arg(_), _) | (Val::Slot(_), Binop::F2(_)) => {
                self.load(lhs)?;
                Val::Acc
            }
            _ => lhs,
        };
        if lhs == Val::Acc {
            // Save the left operand, compile the right; if the right needed
            // no code, take the save back and fuse the operand instead.
            let mark = self.code.len();
            self.emit(Instr::Push)?;
            let rhs = self.expr(rhs)?;
            if self.code.len() == mark + 1 && matches!(rhs, Val::Const(_) | Val::Slot(_)) {
                self.code.truncate(mark);
                self.depth -= 1;
                return self.acc_op(op, rhs);
            }
            self.load(rhs)?;
            self.emit(match op {
                Binop::Op(op) => Instr::Bin(op),
                Binop::F2(f) => Instr::F2(f),
            })?;
            return Ok(Val::Acc);
        }
        let rhs = self.expr(rhs)?;
        match (op, lhs, rhs) {
            (_, Val::Const(a), Val::Const(b)) => Ok(Val::Const(op.fold(a, b))),
            (Binop::F2(f), Val::Const(k), _) => {
                self.load(rhs)?;
                self.emit(Instr::KF2(f, k))?;
                Ok(Val::Acc)
            }
            (Binop::Op(o), Val::Const(k), Val::Acc) => {
                self.emit(Instr::KBin(o, k))?;
                Ok(Val::Acc)
            }
            (Binop::Op(o), Val::Slot(s), Val::Acc) => {
                self.emit(Instr::XBin(o, s))?;
                Ok(Val::Acc)
            }
            (Binop::Op(o), Val::Const(_), Val::Slot(_)) if o.is_commutative() => {
                self.load(rhs)?;
                self.acc_op(op, lhs)
            }
            // Left is a constant or slot (a built-in's slot operand was
            // loaded above), right is not in the accumulator.
            _ => {
                self.load(lhs)?;
                self.acc_op(op, rhs)
            }
        }
    }

    /// Emits `acc = acc op v` for an operand that is not in the accumulator.
    fn acc_op(&mut self, op: Binop, v: Val<R>) -> Result<Val<R>, Error> {
        match (op, v) {
            (Binop::Op(o), Val::Const(k)) => self.acc_op_const(o, k)?,
            (Binop::F2(f), Val::Const(k)) => self.emit(Instr::F2K(f, k))?,
            (Binop::Op(o), Val::Slot(s)) => self.emit(Instr::BinX(o, s))?,
            (_, Val::Acc) => {}
            (_, _) => {
                self.emit(Instr::Push)?;
                self.load(v)?;
                self.emit(match op {
                    Binop::Op(op) => Instr::Bin(op),
                    Binop::F2(f) => Instr::F2(f),
                })?;
            }
        }
        Ok(Val::Acc)
    }

    /// `acc = acc op k`, with the exact rewrites: `x / 4` → `x * 0.25`, and
    /// `x * 2 * 3` → `x * 6` when the first factor is a power of two ≥ 1
    /// and the second is at least 1 in magnitude (no rounding, overflow or
    /// zero can tell the two apart).
    fn acc_op_const(&mut self, op: Op, k: R) -> Result<(), Error> {
        let (op, k) = match op {
            Op::Div if is_reciprocal_exact(k.to_f64()) => (Op::Mul, R::ONE / k),
            _ => (op, k),
        };
        if op == Op::Mul && self.code.len() > self.label {
            if let Some(Instr::BinK(Op::Mul, a)) = self.code.last().copied() {
                let (af, bf) = (a.to_f64(), k.to_f64());
                let product = a * k;
                if is_pow2_at_least_one(af.abs())
                    && bf.is_finite()
                    && bf.abs() >= 1.0
                    && product.to_f64().is_finite()
                {
                    self.code.pop();
                    return self.emit(Instr::BinK(Op::Mul, product));
                }
            }
        }
        self.emit(Instr::BinK(op, k))
    }

    /// `a && b` (`and` true) or `a || b`: 1 or 0, right side only when needed.
    fn logical(&mut self, a: &'a Ast<'a>, b: &'a Ast<'a>, and: bool) -> Result<Val<R>, Error> {
        let va = self.expr(a)?;
        if let Val::Const(k) = va {
            if k.truthy() != and {
                // `0 && b` is 0, `1 || b` is 1; b never runs.
                self.dead(b)?;
                return Ok(Val::Const(R::from_bool(!and)));
            }
            let vb = self.expr(b)?;
            if let Val::Const(k) = vb {
                return Ok(Val::Const(R::from_bool(k.truthy())));
            }
            self.load(vb)?;
            self.emit(Instr::Bool)?;
            return Ok(Val::Acc);
        }
        self.load(va)?;
        let jump = self.code.len();
        self.emit(if and {
            Instr::AndJump(0)
        } else {
            Instr::OrJump(0)
        })?;
        let vb = self.expr(b)?;
        self.load(vb)?;
        self.emit(Instr::Bool)?;
        let end = self.here();
        self.patch(jump, end);
        Ok(Val::Acc)
    }

    fn conditional(
        &mut self,
        c: &'a Ast<'a>,
        a: &'a Ast<'a>,
        b: &'a Ast<'a>,
    ) -> Result<Val<R>, Error> {
        let vc = self.expr(c)?;
        if let Val::Const(k) = vc {
            let (taken, dead) = if k.truthy() { (a, b) } else { (b, a) };
            let v = self.expr(taken)?;
            self.dead(dead)?;
            return Ok(v);
        }
        self.load(vc)?;
        let to_else = self.code.len();
        self.emit(Instr::JumpIfFalse(0))?;
        let depth = self.depth;
        let va = self.expr(a)?;
        self.load(va)?;
        let to_end = self.code.len();
        self.emit(Instr::Jump(0))?;
        let else_at = self.here();
        self.patch(to_else, else_at);
        self.depth = depth;
        let vb = self.expr(b)?;
        self.load(vb)?;
        let end = self.here();
        self.patch(to_end, end);
        Ok(Val::Acc)
    }

    fn call(
        &mut self,
        node: &'a Ast<'a>,
        name: &'a str,
        name_span: Span,
        args: &'a [Ast<'a>],
    ) -> Result<Val<R>, Error> {
        let ctx = self.ctx;
        let Some(function) = ctx.function(name) else {
            return Err(Error::new(ErrorKind::UnknownFunction, name_span));
        };
        if !function.arity().accepts(args.len()) {
            return Err(Error::new(ErrorKind::Arity, node.span));
        }
        match function {
            Function::Builtin(builtin) => self.builtin(*builtin, args, node.span),
            Function::Native(native) => {
                let id = self.natives.len() as u32;
                self.natives.try_reserve(1).map_err(|_| full(node.span))?;
                self.natives.push((name, &*native.func));
                self.push_args(args)?;
                self.emit(Instr::Native {
                    id,
                    argc: args.len() as u32,
                    span: node.span,
                })?;
                Ok(Val::Acc)
            }
            Function::Expr(f) => {
                let func = match self.functions.iter().position(|b| b.name == name) {
                    Some(i) => i as u32,
                    None => {
                        let def = parse_definition(&f.source, self.arena, ctx.limits())
                            .map_err(|e| Error::new(e.kind, node.span))?;
                        self.functions.try_reserve(1).map_err(|_| full(node.span))?;
                        self.bodies.try_reserve(1).map_err(|_| full(node.span))?;
                        self.functions.push(FunctionBlock {
                            name,
                            entry: 0,
                            arity: f.arity as u32,
                        });
                        self.bodies.push((def, node.span));
                        self.functions.len() as u32 - 1
                    }
                };
                self.calls.try_reserve(1).map_err(|_| full(node.span))?;
                self.calls.push((self.block, func));
                self.push_args(args)?;
                self.emit(Instr::Call {
                    func,
                    argc: args.len() as u32,
                    span: node.span,
                })?;
                Ok(Val::Acc)
            }
        }
    }

    /// Evaluates each argument onto the value stack, left to right.
    fn push_args(&mut self, args: &'a [Ast<'a>]) -> Result<(), Error> {
        for arg in args {
            let v = self.expr(arg)?;
            self.load(v)?;
            self.emit(Instr::Push)?;
        }
        Ok(())
    }

    fn builtin(
        &mut self,
        builtin: Builtin,
        args: &'a [Ast<'a>],
        span: Span,
    ) -> Result<Val<R>, Error> {
        let arg = |i: usize| args.get(i).ok_or(Error::new(ErrorKind::Arity, span));
        match builtin {
            Builtin::F1(f) => {
                let v = self.expr(arg(0)?)?;
                self.f1(f, v)
            }
            Builtin::F2(f) => {
                let v = self.expr(arg(0)?)?;
                self.f2(f, v, arg(1)?)
            }
            Builtin::Min | Builtin::Max => {
                let f = if builtin == Builtin::Min {
                    Func2::Min
                } else {
                    Func2::Max
                };
                let mut v = self.expr(arg(0)?)?;
                for next in args.iter().skip(1) {
                    v = self.f2(f, v, next)?;
                }
                Ok(v)
            }
            Builtin::Clamp => {
                let v = self.expr(arg(0)?)?;
                let v = self.f2(Func2::Max, v, arg(1)?)?;
                self.f2(Func2::Min, v, arg(2)?)
            }
        }
    }

    fn f1(&mut self, f: Func1, v: Val<R>) -> Result<Val<R>, Error> {
        if let Val::Const(k) = v {
            return Ok(Val::Const(f.apply(k)));
        }
        self.load(v)?;
        self.emit(Instr::F1(f))?;
        Ok(Val::Acc)
    }

    fn f2(&mut self, f: Func2, lhs: Val<R>, rhs: &'a Ast<'a>) -> Result<Val<R>, Error> {
        self.apply(Binop::F2(f), lhs, rhs)
    }

    fn index(
        &mut self,
        node: &'a Ast<'a>,
        name: &'a str,
        name_span: Span,
        index: &'a Ast<'a>,
    ) -> Result<Val<R>, Error> {
        let is_local = match self.scope {
            Scope::Function(params) => params.contains(&name),
            Scope::Main => self.params.contains(&name),
        };
        let array = if is_local { None } else { self.ctx.array(name) };
        let Some(array) = array else {
            let known = is_local
                || self.ctx.constant(name).is_some()
                || self.ctx.function(name).is_some()
                || self.ctx.object(name).is_some();
            let kind = if known {
                ErrorKind::NotAnArray
            } else {
                ErrorKind::UnknownVariable
            };
            return Err(Error::new(kind, name_span));
        };
        let v = self.expr(index)?;
        if let Val::Const(k) = v {
            // A constant in-range index reads the element now; a bad one is
            // left to fail at evaluation time, as SPEC.md says.
            if let Some(x) = element(array, k) {
                return Ok(Val::Const(x));
            }
        }
        let id = match self.arrays.iter().position(|a| a.0 == name) {
            Some(i) => i as u32,
            None => {
                self.arrays.try_reserve(1).map_err(|_| full(node.span))?;
                self.arrays.push((name, array));
                self.arrays.len() as u32 - 1
            }
        };
        self.load(v)?;
        self.emit(Instr::Index {
            id,
            span: node.span,
        })?;
        Ok(Val::Acc)
    }

    fn field(
        &mut self,
        object: &'a str,
        object_span: Span,
        field: &'a str,
        field_span: Span,
    ) -> Result<Val<R>, Error> {
        if let Scope::Main = self.scope {
            // A parameter may be named `obj.field` (a batch's sensor.x).
            let dotted = self.params.iter().position(|p| {
                p.len() == object.len() + 1 + field.len()
                    && p.starts_with(object)
                    && p.ends_with(field)
                    && p.as_bytes().get(object.len()) == Some(&b'.')
            });
            if let Some(i) = dotted {
                return Ok(Val::Slot(i as u32));
            }
        }
        if let Some(fields) = self.ctx.object(object) {
            return match fields.get(field) {
                Some(&v) => Ok(Val::Const(v)),
                None => Err(Error::new(ErrorKind::UnknownField, field_span)),
            };
        }
        let is_local = match self.scope {
            Scope::Function(params) => params.contains(&object),
            Scope::Main => self.params.contains(&object),
        };
        let ctx = self.ctx;
        if is_local
            || ctx.constant(object).is_some()
            || ctx.array(object).is_some()
            || ctx.function(object).is_some()
        {
            return Err(Error::new(ErrorKind::UnknownField, field_span));
        }
        if matches!(self.scope, Scope::Main) && self.free == FreeNames::AreParams {
            let span = object_span.to(field_span);
            let len = object.len() + 1 + field.len();
            let mut name = BumpVec::new_in(self.arena);
            name.try_reserve_exact(len).map_err(|_| full(span))?;
            name.extend_from_slice(object.as_bytes());
            name.push(b'.');
            name.extend_from_slice(field.as_bytes());
            let name = core::str::from_utf8(name.into_bump_slice()).map_err(|_| full(span))?;
            return self.free_name(name, span);
        }
        Err(Error::new(ErrorKind::UnknownVariable, object_span))
    }
}
