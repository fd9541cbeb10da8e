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
        tasks: BumpVec::new_in(arena),
        vals: BumpVec::new_in(arena),
    };
    let v = c.expr(ast)?;
    c.load(v)?;
    // Running off the end returns too; the `ret` is only needed when
    // function blocks follow.
    if !c.functions.is_empty() {
        c.emit(Instr::Ret)?;
    }
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
        max_total_calls: ctx.limits().max_total_calls,
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
    /// Work still to do, and the operands finished work left (see `expr`).
    tasks: BumpVec<'a, Task<'a, R>>,
    vals: BumpVec<'a, Val<R>>,
}

/// A step of compilation still to run; see [`Compiler::expr`]. Tasks that
/// take operands pop them from the operand stack, tasks that make one push it.
#[derive(Clone, Copy)]
enum Task<'a, R> {
    /// Compile a node.
    Visit(&'a Ast<'a>),
    /// Apply a prefix operator to the operand.
    Unary(UnaryOp),
    /// Apply a one-argument built-in to the operand.
    F1(Func1),
    /// The left operand is done; compile the right one.
    Lhs(Binop, &'a Ast<'a>),
    /// Both operands are done: combine them.
    Rhs(Binop, Val<R>, Option<usize>),
    /// Drop the operand (the left side of `,`).
    Discard,
    /// The left side of `&&` (`and`) or `||` is done.
    Logic { rhs: &'a Ast<'a>, and: bool },
    /// Turn the operand into 1 or 0.
    ToBool,
    /// The right side of `&&`/`||` is done; patch the jump over it.
    LogicEnd { jump: usize },
    /// The condition of `?:` is done.
    Cond { then: &'a Ast<'a>, els: &'a Ast<'a> },
    /// The then-branch is done.
    CondThen {
        to_else: usize,
        depth: u32,
        els: &'a Ast<'a>,
    },
    /// The else-branch is done.
    CondElse { to_end: usize },
    /// Compile code that will be dropped (errors still count).
    DeadStart(&'a Ast<'a>),
    /// Drop what `DeadStart` compiled.
    DeadEnd { len: usize, depth: u32 },
    /// Push a known operand.
    Push(Val<R>),
    /// Put the operand on the value stack (a call argument).
    PushArg,
    /// Emit a call whose arguments are on the value stack.
    Emit(Instr<R>),
    /// The index is done: read the array.
    Index {
        name: &'a str,
        array: &'a [R],
        span: Span,
    },
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
        // Superinstructions: an operation on a parameter just loaded (in
        // the same basic block) becomes one instruction.
        if let (true, Some(&Instr::Load(s))) = (self.code.len() > self.label, self.code.last()) {
            let fused = match instr {
                Instr::BinK(op, k) => Some(Instr::LoadK(op, s, k)),
                Instr::KBin(op, k) => Some(Instr::KLoad(op, k, s)),
                Instr::BinX(op, b) => Some(Instr::LoadX(op, s, b)),
                Instr::F1(f) => Some(Instr::LoadF1(f, s)),
                Instr::Sq => Some(Instr::LoadX(Op::Mul, s, s)),
                _ => None,
            };
            if let (Some(fused), Some(last)) = (fused, self.code.last_mut()) {
                *last = fused;
                return Ok(());
            }
        }
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

    /// Turns the accumulator into 1 or 0, unless the instruction that just
    /// computed it (in this basic block) already gives 1 or 0.
    fn emit_bool(&mut self) -> Result<(), Error> {
        let already = self.code.len() > self.label
            && match self.code.last() {
                Some(Instr::Bin(op) | Instr::BinK(op, _) | Instr::KBin(op, _)) => {
                    op.is_comparison()
                }
                Some(Instr::BinX(op, _) | Instr::XBin(op, _) | Instr::LoadX(op, ..)) => {
                    op.is_comparison()
                }
                Some(Instr::LoadK(op, ..) | Instr::KLoad(op, ..)) => op.is_comparison(),
                Some(Instr::Not | Instr::Bool) => true,
                _ => false,
            };
        if already {
            Ok(())
        } else {
            self.emit(Instr::Bool)
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

    /// Compiles a tree; its value ends where the returned [`Val`] says.
    ///
    /// The textbook recursive compiler, with the recursion turned into an
    /// explicit stack of [`Task`]s (and a stack of operand [`Val`]s), both
    /// in the arena: the machine stack stays constant however deep the tree.
    fn expr(&mut self, root: &'a Ast<'a>) -> Result<Val<R>, Error> {
        self.tasks.clear();
        self.vals.clear();
        self.task(Task::Visit(root))?;
        while let Some(task) = self.tasks.pop() {
            self.step(task)?;
        }
        Ok(self.pop())
    }

    fn task(&mut self, task: Task<'a, R>) -> Result<(), Error> {
        self.tasks
            .try_reserve(1)
            .map_err(|_| full(Span::default()))?;
        self.tasks.push(task);
        Ok(())
    }

    fn val(&mut self, v: Val<R>) -> Result<(), Error> {
        self.vals
            .try_reserve(1)
            .map_err(|_| full(Span::default()))?;
        self.vals.push(v);
        Ok(())
    }

    /// The operand a finished task left. Every task that pops one was
    /// scheduled after the task that pushes it, so one is always there.
    fn pop(&mut self) -> Val<R> {
        debug_assert!(!self.vals.is_empty());
        self.vals.pop().unwrap_or(Val::Acc)
    }

    fn step(&mut self, task: Task<'a, R>) -> Result<(), Error> {
        match task {
            Task::Visit(node) => self.visit(node)?,
            Task::Unary(op) => {
                let v = self.pop();
                let (fold, instr): (fn(R) -> R, _) = match op {
                    UnaryOp::Plus => (|x: R| x, None),
                    UnaryOp::Neg => (|x: R| -x, Some(Instr::Neg)),
                    UnaryOp::Not => (|x: R| R::from_bool(!x.truthy()), Some(Instr::Not)),
                };
                let v = match (v, instr) {
                    (Val::Const(k), _) => Val::Const(fold(k)),
                    (v, None) => v,
                    (v, Some(instr)) => {
                        self.load(v)?;
                        self.emit(instr)?;
                        Val::Acc
                    }
                };
                self.val(v)?;
            }
            Task::F1(f) => {
                let v = match self.pop() {
                    Val::Const(k) => Val::Const(f.apply(k)),
                    v => {
                        self.load(v)?;
                        self.emit(Instr::F1(f))?;
                        Val::Acc
                    }
                };
                self.val(v)?;
            }
            Task::Lhs(op, rhs) => {
                let lhs = self.pop();
                // Arguments and the built-ins' slot operands are fused only
                // on the right; load them first.
                let lhs = match (lhs, op) {
                    (Val::Arg(_), _) | (Val::Slot(_), Binop::F2(_)) => {
                        self.load(lhs)?;
                        Val::Acc
                    }
                    _ => lhs,
                };
                // Save a left operand in the accumulator before compiling the
                // right; `Rhs` takes the save back if the right needed no code.
                let mark = if lhs == Val::Acc {
                    self.emit(Instr::Push)?;
                    Some(self.code.len() - 1)
                } else {
                    None
                };
                self.task(Task::Rhs(op, lhs, mark))?;
                self.task(Task::Visit(rhs))?;
            }
            Task::Rhs(op, lhs, mark) => {
                let rhs = self.pop();
                let v = self.combine(op, lhs, rhs, mark)?;
                self.val(v)?;
            }
            Task::Discard => {
                // The left side of `,` runs for its effects (native calls) only.
                self.pop();
            }
            Task::Logic { rhs, and } => match self.pop() {
                Val::Const(k) if k.truthy() != and => {
                    // `0 && b` is 0, `1 || b` is 1; b never runs.
                    self.task(Task::Push(Val::Const(R::from_bool(!and))))?;
                    self.task(Task::DeadStart(rhs))?;
                }
                Val::Const(_) => {
                    self.task(Task::ToBool)?;
                    self.task(Task::Visit(rhs))?;
                }
                va => {
                    self.load(va)?;
                    let jump = self.code.len();
                    self.emit(if and {
                        Instr::AndJump(0)
                    } else {
                        Instr::OrJump(0)
                    })?;
                    self.task(Task::LogicEnd { jump })?;
                    self.task(Task::Visit(rhs))?;
                }
            },
            Task::ToBool => {
                let v = match self.pop() {
                    Val::Const(k) => Val::Const(R::from_bool(k.truthy())),
                    v => {
                        self.load(v)?;
                        self.emit_bool()?;
                        Val::Acc
                    }
                };
                self.val(v)?;
            }
            Task::LogicEnd { jump } => {
                let v = self.pop();
                self.load(v)?;
                self.emit_bool()?;
                let end = self.here();
                self.patch(jump, end);
                self.val(Val::Acc)?;
            }
            Task::Cond { then, els } => match self.pop() {
                Val::Const(k) => {
                    let (taken, dead) = if k.truthy() { (then, els) } else { (els, then) };
                    self.task(Task::DeadStart(dead))?;
                    self.task(Task::Visit(taken))?;
                }
                vc => {
                    self.load(vc)?;
                    let to_else = self.code.len();
                    self.emit(Instr::JumpIfFalse(0))?;
                    let depth = self.depth;
                    self.task(Task::CondThen {
                        to_else,
                        depth,
                        els,
                    })?;
                    self.task(Task::Visit(then))?;
                }
            },
            Task::CondThen {
                to_else,
                depth,
                els,
            } => {
                let v = self.pop();
                self.load(v)?;
                let to_end = self.code.len();
                self.emit(Instr::Jump(0))?;
                let else_at = self.here();
                self.patch(to_else, else_at);
                self.depth = depth;
                self.task(Task::CondElse { to_end })?;
                self.task(Task::Visit(els))?;
            }
            Task::CondElse { to_end } => {
                let v = self.pop();
                self.load(v)?;
                let end = self.here();
                self.patch(to_end, end);
                self.val(Val::Acc)?;
            }
            Task::DeadStart(node) => {
                // Compile code that must never run (the dead side of a
                // constant condition): its errors still count, its code is
                // dropped by `DeadEnd`. `here` keeps peephole rewrites from
                // reaching back across the cut.
                self.here();
                let (len, depth) = (self.code.len(), self.depth);
                self.task(Task::DeadEnd { len, depth })?;
                self.task(Task::Visit(node))?;
            }
            Task::DeadEnd { len, depth } => {
                self.pop();
                self.code.truncate(len);
                self.depth = depth;
            }
            Task::Push(v) => self.val(v)?,
            Task::PushArg => {
                let v = self.pop();
                self.load(v)?;
                self.emit(Instr::Push)?;
            }
            Task::Emit(instr) => {
                self.emit(instr)?;
                self.val(Val::Acc)?;
            }
            Task::Index { name, array, span } => {
                let v = match (self.pop(), self.arrays.iter().position(|a| a.0 == name)) {
                    // A constant in-range index reads the element now; a bad
                    // one is left to fail at evaluation time, as SPEC.md says.
                    (Val::Const(k), _) if element(array, k).is_some() => {
                        Val::Const(element(array, k).unwrap_or(R::NAN))
                    }
                    (v, known) => {
                        let id = match known {
                            Some(i) => i as u32,
                            None => {
                                self.arrays.try_reserve(1).map_err(|_| full(span))?;
                                self.arrays.push((name, array));
                                self.arrays.len() as u32 - 1
                            }
                        };
                        self.load(v)?;
                        self.emit(Instr::Index { id, span })?;
                        Val::Acc
                    }
                };
                self.val(v)?;
            }
        }
        Ok(())
    }

    /// Starts compiling one node: leaves need no work, inner nodes schedule
    /// their children and what follows them (tasks run last-in first-out).
    fn visit(&mut self, node: &'a Ast<'a>) -> Result<(), Error> {
        match node.kind {
            AstKind::Number(text) => {
                let k = R::parse_literal(text)
                    .ok_or(Error::new(ErrorKind::InvalidNumber, node.span))?;
                self.val(Val::Const(k))
            }
            AstKind::Name(name) => {
                let v = self.value(name, node.span)?;
                self.val(v)
            }
            AstKind::Field {
                object,
                object_span,
                field,
                field_span,
            } => {
                let v = self.field(object, object_span, field, field_span)?;
                self.val(v)
            }
            AstKind::Unary(op, a) => {
                self.task(Task::Unary(op))?;
                self.task(Task::Visit(a))
            }
            AstKind::Binary(op, a, b) => {
                match (op, Op::from_binary(op)) {
                    (_, Some(op)) => self.task(Task::Lhs(Binop::Op(op), b))?,
                    (BinaryOp::Seq, None) => {
                        self.task(Task::Visit(b))?;
                        self.task(Task::Discard)?;
                    }
                    (_, None) => self.task(Task::Logic {
                        rhs: b,
                        and: op == BinaryOp::And,
                    })?,
                }
                self.task(Task::Visit(a))
            }
            AstKind::Conditional(c, then, els) => {
                self.task(Task::Cond { then, els })?;
                self.task(Task::Visit(c))
            }
            AstKind::Call {
                name,
                name_span,
                args,
            } => self.call(node, name, name_span, args),
            AstKind::Index {
                name,
                name_span,
                index,
            } => {
                let is_local = match self.scope {
                    Scope::Function(params) => params.contains(&name),
                    Scope::Main => self.params.contains(&name),
                };
                let ctx = self.ctx;
                let Some(array) = ctx.array(name).filter(|_| !is_local) else {
                    let known = is_local
                        || ctx.constant(name).is_some()
                        || ctx.function(name).is_some()
                        || ctx.object(name).is_some();
                    let kind = if known {
                        ErrorKind::NotAnArray
                    } else {
                        ErrorKind::UnknownVariable
                    };
                    return Err(Error::new(kind, name_span));
                };
                self.task(Task::Index {
                    name,
                    array,
                    span: node.span,
                })?;
                self.task(Task::Visit(index))
            }
        }
    }

    fn call(
        &mut self,
        node: &'a Ast<'a>,
        name: &'a str,
        name_span: Span,
        args: &'a [Ast<'a>],
    ) -> Result<(), Error> {
        let ctx = self.ctx;
        let Some(function) = ctx.function(name) else {
            return Err(Error::new(ErrorKind::UnknownFunction, name_span));
        };
        if !function.arity().accepts(args.len()) {
            return Err(Error::new(ErrorKind::Arity, node.span));
        }
        let argc = args.len() as u32;
        let last = match function {
            Function::Builtin(builtin) => {
                // Built-ins become instructions: `min`/`max` fold left with
                // `fmin`/`fmax`, `clamp(x, lo, hi)` is `fmin(fmax(x, lo), hi)`.
                let (first, rest) = args
                    .split_first()
                    .ok_or(Error::new(ErrorKind::Arity, node.span))?;
                let fold = match builtin {
                    Builtin::F1(f) => {
                        self.task(Task::F1(*f))?;
                        None
                    }
                    Builtin::F2(f) => Some(*f),
                    Builtin::Min => Some(Func2::Min),
                    Builtin::Max => Some(Func2::Max),
                    Builtin::Clamp => None,
                };
                if *builtin == Builtin::Clamp {
                    if let [lo, hi] = rest {
                        self.task(Task::Lhs(Binop::F2(Func2::Min), hi))?;
                        self.task(Task::Lhs(Binop::F2(Func2::Max), lo))?;
                    }
                }
                if let Some(f) = fold {
                    for arg in rest.iter().rev() {
                        self.task(Task::Lhs(Binop::F2(f), arg))?;
                    }
                }
                return self.task(Task::Visit(first));
            }
            Function::Native(native) => {
                let id = self.natives.len() as u32;
                self.natives.try_reserve(1).map_err(|_| full(node.span))?;
                self.natives.push((name, &*native.func));
                Instr::Native {
                    id,
                    argc,
                    span: node.span,
                }
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
                Instr::Call {
                    func,
                    argc,
                    span: node.span,
                }
            }
        };
        // Natives and expression functions take their arguments on the
        // value stack, pushed left to right.
        self.task(Task::Emit(last))?;
        for arg in args.iter().rev() {
            self.task(Task::PushArg)?;
            self.task(Task::Visit(arg))?;
        }
        Ok(())
    }

    /// Emits `lhs op rhs` once both are compiled. `mark` is where `Lhs`
    /// saved a left operand that was in the accumulator.
    fn combine(
        &mut self,
        op: Binop,
        lhs: Val<R>,
        rhs: Val<R>,
        mark: Option<usize>,
    ) -> Result<Val<R>, Error> {
        if let Some(mark) = mark {
            if self.code.len() == mark + 1 && matches!(rhs, Val::Const(_) | Val::Slot(_)) {
                // The right side needed no code: take the save back and
                // fuse the operand instead.
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
            // loaded by `Lhs`), right is not in the accumulator.
            _ => {
                self.load(lhs)?;
                self.acc_op(op, rhs)
            }
        }
    }

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

    /// `acc = acc op k`, with the exact rewrites: `x ^ 2` → `x * x`,
    /// `x / 4` → `x * 0.25`, and
    /// `x * 2 * 3` → `x * 6` when the first factor is a power of two ≥ 1
    /// and the second is at least 1 in magnitude (no rounding, overflow or
    /// zero can tell the two apart).
    fn acc_op_const(&mut self, op: Op, k: R) -> Result<(), Error> {
        // libm's `pow` answers these exponents itself, exactly so:
        // `pow(x, 2)` is `x * x`, `pow(x, 1)` is `x`, `pow(x, -1)` is `1 / x`.
        if op == Op::Pow {
            if k == R::ONE + R::ONE {
                return self.emit(Instr::Sq);
            } else if k == R::ONE {
                return Ok(());
            } else if k == -R::ONE {
                return self.emit(Instr::KBin(Op::Div, R::ONE));
            }
        }
        let (op, k) = match op {
            Op::Div if is_reciprocal_exact(k.to_f64()) => (Op::Mul, R::ONE / k),
            _ => (op, k),
        };
        if op == Op::Mul && self.code.len() > self.label {
            type Rebuild<R> = fn(R, Instr<R>) -> Instr<R>;
            let (a, rebuild): (R, Rebuild<R>) = match self.code.last().copied() {
                Some(Instr::BinK(Op::Mul, a)) => (a, |p, _| Instr::BinK(Op::Mul, p)),
                Some(Instr::LoadK(Op::Mul, _, a)) => (a, |p, last| match last {
                    Instr::LoadK(_, s, _) => Instr::LoadK(Op::Mul, s, p),
                    other => other,
                }),
                _ => (R::NAN, |_, last| last),
            };
            let (af, bf) = (a.to_f64(), k.to_f64());
            let product = a * k;
            if is_pow2_at_least_one(af.abs())
                && bf.is_finite()
                && bf.abs() >= 1.0
                && product.to_f64().is_finite()
            {
                if let Some(last) = self.code.last_mut() {
                    *last = rebuild(product, *last);
                    return Ok(());
                }
            }
        }
        self.emit(Instr::BinK(op, k))
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
