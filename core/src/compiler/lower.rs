//! Lowering: a tree to instructions, names resolved, constants folded.
//!
//! The textbook recursive compiler, with the recursion turned into an
//! explicit stack of [`Task`]s (and a stack of operand [`Val`]s), both in
//! the arena: the machine stack stays constant however deep the tree.
//! Operands that are constants or parameter slots are fused into the
//! instruction that uses them (`acc = acc * 2`, `acc = acc + x`).

use crate::fallible::Shared;

use crate::arena_vec::ArenaVec;
use bumpalo::Bump;

use super::FreeNames;
use super::peephole::{fuse, is_boolean, is_reciprocal_exact};
use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::builtins::{Builtin, Func1, Func2};
use crate::context::{Context, FunctionDef, SharedNative};
use crate::error::{Error, ErrorKind, Span};
use crate::exec::Exec;
use crate::parser::{Definition, parse_definition};
use crate::program::{FunctionBlock, Instr, Op, element};
use crate::real::Real;
use crate::resolve::{self, Field, Value};

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

    fn instr<R>(self) -> Instr<R> {
        match self {
            Binop::Op(op) => Instr::Bin(op),
            Binop::F2(f) => Instr::F2(f),
        }
    }
}

/// A step of lowering still to run; see [`Lowering::block`]. Tasks that
/// take operands pop them from the operand stack, tasks that make one push
/// it. Each runs with the span of the node it belongs to.
#[derive(Clone, Copy)]
enum Task<'a, R> {
    /// Lower a node.
    Visit(&'a Ast<'a>),
    /// Apply a prefix operator to the operand.
    Unary(UnaryOp),
    /// Apply a one-argument built-in to the operand.
    F1(Func1),
    /// The left operand is done; lower the right one.
    Lhs(Binop, &'a Ast<'a>),
    /// Both operands are done: combine them. The mark is where `Lhs`
    /// saved a left operand that was in the accumulator, and the stack
    /// maximum before that save.
    Rhs(Binop, Val<R>, Option<(usize, u32)>),
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
    /// Lower code that will be dropped (errors still count).
    DeadStart(&'a Ast<'a>),
    /// An inlined body is done: back to the scope of the call.
    ExitInline(Scope<'a, R>, Option<Span>),
    /// Drop what `DeadStart` lowered.
    DeadEnd {
        len: usize,
        folded: usize,
        depth: u32,
    },
    /// Push a known operand.
    Push(Val<R>),
    /// Put the operand on the value stack (a call argument).
    PushArg,
    /// Emit a call whose arguments are on the value stack.
    Emit(Instr<R>),
    /// The index is done: read the array (resolved when visited).
    Index { name: &'a str, name_span: Span },
}

/// What the block being lowered can see.
#[derive(Clone, Copy)]
enum Scope<'a, R> {
    /// The top-level expression: its parameters, then the context.
    Main,
    /// An expression function: its own parameters, then the context.
    Function(&'a [&'a str]),
    /// An expression function's body inlined at a call in the main code:
    /// its parameters stand for the call's (constant or parameter)
    /// arguments.
    Inline(&'a [&'a str], &'a [Val<R>]),
}

fn full(span: Span) -> Error {
    Error::new(ErrorKind::ArenaFull, span)
}

/// The lowering state of one program: its instructions and tables.
pub(super) struct Lowering<'a, 'p, R: Real> {
    ctx: &'p Context<R>,
    arena: &'a Bump,
    pub(super) params: &'p mut ArenaVec<'a, &'a str>,
    free: FreeNames,
    /// The instructions so far, in the form the evaluator runs.
    pub(super) code: ArenaVec<'a, Exec<R>>,
    /// The span of the node each instruction was lowered from.
    pub(super) spans: ArenaVec<'a, Span>,
    /// Nodes of the main expression folded into constants.
    pub(super) folded: ArenaVec<'a, Span>,
    pub(super) natives: ArenaVec<'a, (&'a str, SharedNative<R>)>,
    pub(super) arrays: ArenaVec<'a, (&'a str, Shared<[R]>)>,
    pub(super) functions: ArenaVec<'a, FunctionBlock<'a>>,
    /// Parsed bodies of `functions`, with the top-level call that first
    /// needed each.
    bodies: ArenaVec<'a, (&'a Ast<'a>, Span)>,
    /// `(caller block, callee function)` edges.
    pub(super) calls: ArenaVec<'a, (u32, u32)>,
    scope: Scope<'a, R>,
    /// The functions whose calls in the main code are inlined, parsed
    /// (see [`super::inline`]); empty when none is.
    pub(super) inline: &'a [(&'a str, Definition<'a>)],
    /// Inside an inlined body: the call it was inlined at, which its
    /// instructions and errors are reported at.
    inline_at: Option<Span>,
    /// The block being lowered: 0 for the main code, `f + 1` for function `f`.
    block: u32,
    /// Inside a function body: the top-level call its errors are reported at.
    origin: Option<Span>,
    /// The span of the node being lowered; every emitted instruction gets it.
    span: Span,
    /// Value-stack depth at this point of the block, and its maximum.
    depth: u32,
    pub(super) max_depth: u32,
    /// The latest jump target; no peephole rewrite may look behind it.
    label: usize,
    /// Work still to do, and the operands finished work left.
    tasks: ArenaVec<'a, (Task<'a, R>, Span)>,
    vals: ArenaVec<'a, Val<R>>,
}

impl<'a, 'p, R: Real> Lowering<'a, 'p, R> {
    pub(super) fn new(
        ctx: &'p Context<R>,
        arena: &'a Bump,
        params: &'p mut ArenaVec<'a, &'a str>,
        free: FreeNames,
    ) -> Self {
        Lowering {
            ctx,
            arena,
            params,
            free,
            code: ArenaVec::new_in(arena),
            spans: ArenaVec::new_in(arena),
            folded: ArenaVec::new_in(arena),
            natives: ArenaVec::new_in(arena),
            arrays: ArenaVec::new_in(arena),
            functions: ArenaVec::new_in(arena),
            bodies: ArenaVec::new_in(arena),
            calls: ArenaVec::new_in(arena),
            scope: Scope::Main,
            inline: &[],
            inline_at: None,
            block: 0,
            origin: None,
            span: Span::default(),
            depth: 0,
            max_depth: 0,
            label: 0,
            tasks: ArenaVec::new_in(arena),
            vals: ArenaVec::new_in(arena),
        }
    }

    pub(super) fn has_functions(&self) -> bool {
        !self.functions.is_empty()
    }

    /// The body of function `f` and the call its errors are reported at.
    pub(super) fn body(&self, f: usize) -> Option<(&'a Ast<'a>, Span)> {
        self.bodies.get(f).copied()
    }

    /// Starts lowering function `f` as the next block.
    pub(super) fn enter_function(&mut self, f: usize) {
        let entry = self.code.len() as u32;
        let mut params: &'a [&'a str] = &[];
        if let Some(block) = self.functions.get_mut(f) {
            block.entry = entry;
            params = block.params;
        }
        self.scope = Scope::Function(params);
        self.block = f as u32 + 1;
        self.label = self.code.len();
        self.depth = 0;
        self.max_depth = 0;
    }

    /// Sizes the instruction buffers for the main expression `root` before
    /// anything is emitted: one instruction per four bytes of its text
    /// (`x * sin(y) + z` is 4), rounded down to a power of two. Fewer
    /// copies than growing from one and fewer buffers left behind in the
    /// arena; never more than the text allows, and the capacities stay
    /// those of doubling from one, so two sources of about the same length
    /// take the same arena bytes.
    pub(super) fn reserve_for(&mut self, root: &Ast<'_>) -> Result<(), Error> {
        let bytes = root.span.end.saturating_sub(root.span.start);
        let guess = match bytes / 4 {
            0 => 1,
            q => 1 << q.ilog2(),
        };
        let no_room = |_| full(root.span);
        self.code.try_reserve_exact(guess).map_err(no_room)?;
        self.spans.try_reserve_exact(guess).map_err(no_room)
    }

    /// Lowers a whole tree and leaves its value in the accumulator.
    /// `origin` is the top-level call a function body is lowered for.
    pub(super) fn block(&mut self, root: &'a Ast<'a>, origin: Option<Span>) -> Result<(), Error> {
        self.origin = origin;
        self.tasks.clear();
        self.vals.clear();
        self.span = root.span;
        self.task(Task::Visit(root))?;
        while let Some((task, span)) = self.tasks.pop() {
            self.span = span;
            self.step(task)?;
        }
        let v = self.pop();
        self.span = root.span;
        self.load(v)
    }

    /// Appends an instruction, fused with the one before it where
    /// [`fuse`] allows (never across a jump target).
    pub(super) fn emit(&mut self, instr: Instr<R>) -> Result<(), Error> {
        match instr {
            Instr::Push => self.depth += 1,
            Instr::Bin(_) | Instr::F2(_) => self.depth = self.depth.saturating_sub(1),
            Instr::Native { argc, .. } | Instr::Call { argc, .. } => {
                self.depth = self.depth.saturating_sub(argc);
            }
            _ => {}
        }
        self.max_depth = self.max_depth.max(self.depth);
        let at = self.at();
        if self.code.len() > self.label {
            // The last instruction of this basic block (there is one:
            // `Push`, which fuses with nothing, only stands in for the
            // type), decoded only if `instr` is one that can fuse.
            let last = || self.code.last().map_or(Instr::Push, |l| l.to_instr());
            if let Some(fused) = fuse(last, instr) {
                if let Some((last, span)) = self.code.last_mut().zip(self.spans.last_mut()) {
                    *last = Exec::from_instr(fused);
                    *span = at;
                    return Ok(());
                }
            }
        }
        self.code.try_reserve(1).map_err(|_| full(self.span))?;
        self.spans.try_reserve(1).map_err(|_| full(self.span))?;
        self.code.push(Exec::from_instr(instr));
        self.spans.push(at);
        Ok(())
    }

    /// The span instructions lowered now are reported at: the node's, or
    /// inside an inlined body the call's.
    fn at(&self) -> Span {
        self.inline_at.unwrap_or(self.span)
    }

    /// Marks the current position as a jump target and returns it.
    fn here(&mut self) -> u32 {
        self.label = self.code.len();
        self.code.len() as u32
    }

    fn patch(&mut self, at: usize, target: u32) {
        if let Some(instr) = self.code.get_mut(at) {
            *instr = match *instr {
                Exec::Jump(_) => Exec::Jump(target),
                Exec::JumpIfFalse(_) => Exec::JumpIfFalse(target),
                Exec::AndJump(_) => Exec::AndJump(target),
                Exec::OrJump(_) => Exec::OrJump(target),
                other => other,
            };
        }
    }

    /// Turns the accumulator into 1 or 0, unless the instruction that just
    /// computed it (in this basic block) already gives 1 or 0.
    fn emit_bool(&mut self) -> Result<(), Error> {
        match self.code.last() {
            Some(&last) if self.code.len() > self.label && is_boolean(last.to_instr()) => Ok(()),
            _ => self.emit(Instr::Bool),
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

    fn task(&mut self, task: Task<'a, R>) -> Result<(), Error> {
        self.tasks
            .try_push((task, self.span))
            .map_err(|_| full(self.span))?;
        Ok(())
    }

    /// Pushes a finished operand; a constant that is not a literal is a
    /// node folded away (the playground shows which).
    fn val(&mut self, v: Val<R>) -> Result<(), Error> {
        self.vals.try_push(v).map_err(|_| full(self.span))?;
        Ok(())
    }

    fn folded(&mut self, k: R) -> Result<Val<R>, Error> {
        if self.block == 0 && self.inline_at.is_none() {
            self.folded
                .try_push(self.span)
                .map_err(|_| full(self.span))?;
        }
        Ok(Val::Const(k))
    }

    /// The operand a finished task left. Every task that pops one was
    /// scheduled after the task that pushes it, so one is always there.
    fn pop(&mut self) -> Val<R> {
        debug_assert!(!self.vals.is_empty());
        self.vals.pop().unwrap_or(Val::Acc)
    }

    /// The names of the current scope's parameters.
    fn scope_params(&self) -> &[&'a str] {
        match self.scope {
            Scope::Main => self.params,
            Scope::Function(params) | Scope::Inline(params, _) => params,
        }
    }

    /// Parameter `i` of the current scope as an operand.
    fn param(&self, i: u32) -> Val<R> {
        match self.scope {
            Scope::Main => Val::Slot(i),
            Scope::Function(_) => Val::Arg(i),
            Scope::Inline(_, args) => args.get(i as usize).copied().unwrap_or(Val::Const(R::NAN)),
        }
    }

    fn step(&mut self, task: Task<'a, R>) -> Result<(), Error> {
        match task {
            Task::Visit(node) => {
                self.span = node.span;
                self.visit(node)?;
            }
            Task::Unary(op) => {
                let v = match (self.pop(), op) {
                    (Val::Const(k), UnaryOp::Plus) => self.folded(k)?,
                    (Val::Const(k), UnaryOp::Neg) => self.folded(-k)?,
                    (Val::Const(k), UnaryOp::Not) => self.folded(R::from_bool(!k.truthy()))?,
                    (v, UnaryOp::Plus) => v,
                    (v, op) => {
                        self.load(v)?;
                        self.emit(if op == UnaryOp::Neg {
                            Instr::Neg
                        } else {
                            Instr::Not
                        })?;
                        Val::Acc
                    }
                };
                self.val(v)?;
            }
            Task::F1(f) => {
                let v = match self.pop() {
                    Val::Const(k) => self.folded(f.apply(k))?,
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
                // Save a left operand in the accumulator before lowering the
                // right; `Rhs` takes the save back if the right needed no code.
                let mark = if lhs == Val::Acc {
                    let max = self.max_depth;
                    self.emit(Instr::Push)?;
                    Some((self.code.len() - 1, max))
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
                    Val::Const(k) => self.folded(R::from_bool(k.truthy()))?,
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
                // A constant condition: only the taken branch runs. Both
                // are lowered in source order, so errors come in the order
                // every path reports them.
                Val::Const(k) if k.truthy() => {
                    self.task(Task::DeadStart(els))?;
                    self.task(Task::Visit(then))?;
                }
                Val::Const(_) => {
                    self.task(Task::Visit(els))?;
                    self.task(Task::DeadStart(then))?;
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
                // Lower code that must never run (the dead side of a
                // constant condition): its errors still count, its code is
                // dropped by `DeadEnd`. `here` keeps peephole rewrites from
                // reaching back across the cut.
                self.here();
                let (len, folded, depth) = (self.code.len(), self.folded.len(), self.depth);
                self.task(Task::DeadEnd { len, folded, depth })?;
                self.task(Task::Visit(node))?;
            }
            Task::DeadEnd { len, folded, depth } => {
                self.pop();
                self.code.truncate(len);
                self.spans.truncate(len);
                self.folded.truncate(folded);
                self.depth = depth;
            }
            Task::ExitInline(scope, at) => {
                self.scope = scope;
                self.inline_at = at;
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
            Task::Index { name, name_span } => {
                let ctx = self.ctx;
                let array = resolve::index(name, name_span, self.scope_params(), ctx)?;
                let v = match self.pop() {
                    // A constant in-range index reads the element now; a bad
                    // one is left to fail at evaluation time, as SPEC.md says.
                    Val::Const(k) if element(array, k).is_some() => {
                        self.folded(element(array, k).unwrap_or(R::NAN))?
                    }
                    v => {
                        let id = match self.arrays.iter().position(|a| a.0 == name) {
                            Some(i) => i as u32,
                            None => {
                                self.arrays
                                    .try_push((name, Shared::clone(array)))
                                    .map_err(|_| full(self.span))?;
                                self.arrays.len() as u32 - 1
                            }
                        };
                        self.load(v)?;
                        let span = self.at();
                        self.emit(Instr::Index { id, span })?;
                        Val::Acc
                    }
                };
                self.val(v)?;
            }
        }
        Ok(())
    }

    /// Starts lowering one node: leaves need no work, inner nodes schedule
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
                let ctx = self.ctx;
                resolve::index(name, name_span, self.scope_params(), ctx)?;
                self.task(Task::Index { name, name_span })?;
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
        let function = resolve::call(name, name_span, node.span, args.len(), ctx)?;
        let argc = args.len() as u32;
        let last = match &function.def {
            FunctionDef::Builtin(builtin) => {
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
            FunctionDef::Native(_, func) => {
                let id = self.natives.len() as u32;
                self.natives
                    .try_push((name, Shared::clone(func)))
                    .map_err(|_| full(node.span))?;
                Instr::Native {
                    id,
                    argc,
                    span: self.inline_at.unwrap_or(node.span),
                }
            }
            FunctionDef::Expression(source, arity) => {
                if let Some(def) = self.inlinable(name) {
                    return self.inline_call(node.span, def, args);
                }
                let func = match self.functions.iter().position(|b| b.name == name) {
                    Some(i) => i as u32,
                    None => self.add_function(name, source, *arity, node.span)?,
                };
                self.calls
                    .try_push((self.block, func))
                    .map_err(|_| full(node.span))?;
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

    /// Parses an expression function called for the first time into the
    /// arena and queues its body; it is lowered after the main code.
    fn add_function(
        &mut self,
        name: &'a str,
        source: &str,
        arity: usize,
        span: Span,
    ) -> Result<u32, Error> {
        let limits = *self.ctx.limits();
        let source: &'a str = self.arena.try_alloc_str(source).map_err(|_| full(span))?;
        let def =
            parse_definition(source, self.arena, &limits).map_err(|e| Error::new(e.kind, span))?;
        self.functions.try_reserve(1).map_err(|_| full(span))?;
        self.bodies.try_reserve(1).map_err(|_| full(span))?;
        self.functions.push(FunctionBlock {
            name,
            entry: 0,
            arity: arity as u32,
            params: def.params,
            source,
        });
        // A function first called from a body reports its errors where
        // that body's do: at the top-level call.
        self.bodies.push((def.body, self.origin.unwrap_or(span)));
        Ok(self.functions.len() as u32 - 1)
    }

    /// The definition of `name` if its calls are inlined (see
    /// [`super::inline`]): only in the main code.
    fn inlinable(&self, name: &str) -> Option<Definition<'a>> {
        if !matches!(self.scope, Scope::Main) || self.inline_at.is_some() {
            return None;
        }
        self.inline.iter().find(|d| d.0 == name).map(|d| d.1)
    }

    /// Lowers `body` in place of the call at `span`, its parameters bound
    /// to the arguments' operands.
    fn inline_call(
        &mut self,
        span: Span,
        def: Definition<'a>,
        args: &'a [Ast<'a>],
    ) -> Result<(), Error> {
        let mut vals = ArenaVec::new_in(self.arena);
        vals.try_reserve_exact(args.len()).map_err(|_| full(span))?;
        for arg in args {
            let v = match arg.kind {
                AstKind::Number(text) => Val::Const(
                    R::parse_literal(text).ok_or(Error::new(ErrorKind::InvalidNumber, arg.span))?,
                ),
                AstKind::Name(name) => {
                    self.span = arg.span;
                    let v = self.value(name, arg.span);
                    self.span = span;
                    v?
                }
                _ => return Err(Error::new(ErrorKind::UnexpectedToken, arg.span)),
            };
            vals.push(v);
        }
        self.task(Task::ExitInline(self.scope, self.inline_at))?;
        self.scope = Scope::Inline(def.params, vals.into_bump_slice());
        self.inline_at = Some(span);
        self.task(Task::Visit(def.body))
    }

    /// Emits `lhs op rhs` once both are lowered. `mark` is where `Lhs`
    /// saved a left operand that was in the accumulator.
    fn combine(
        &mut self,
        op: Binop,
        lhs: Val<R>,
        rhs: Val<R>,
        mark: Option<(usize, u32)>,
    ) -> Result<Val<R>, Error> {
        if let Some((mark, max)) = mark {
            if self.code.len() == mark + 1 && matches!(rhs, Val::Const(_) | Val::Slot(_)) {
                // The right side needed no code: take the save back and
                // fuse the operand instead.
                self.code.truncate(mark);
                self.spans.truncate(mark);
                self.depth -= 1;
                self.max_depth = max;
                return self.acc_op(op, rhs);
            }
            self.load(rhs)?;
            self.emit(op.instr())?;
            return Ok(Val::Acc);
        }
        match (op, lhs, rhs) {
            (_, Val::Const(a), Val::Const(b)) => self.folded(op.fold(a, b)),
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

    /// `n` as a value.
    fn value(&mut self, name: &'a str, span: Span) -> Result<Val<R>, Error> {
        let ctx = self.ctx;
        match resolve::value(name, span, self.scope_params(), ctx)? {
            Value::Param(i) => Ok(self.param(i)),
            Value::Constant(k) => self.folded(k),
            Value::Free => self.free_name(name, span),
        }
    }

    /// A name nothing binds: a new parameter, or an error.
    fn free_name(&mut self, name: &'a str, span: Span) -> Result<Val<R>, Error> {
        if matches!(self.scope, Scope::Main) && self.free == FreeNames::AreParams {
            self.params.try_push(name).map_err(|_| full(span))?;
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
                self.emit(op.instr())?;
            }
        }
        Ok(Val::Acc)
    }

    /// `acc = acc op k`, with SPEC.md's exact rewrites of powers (`pow`
    /// answers these exponents exactly so, core/src/math/pow.rs: `pow(x, 2)` is `x * x`,
    /// `pow(x, 1)` is `x`, `pow(x, -1)` is `1 / x`, `pow(x, 0)` is 1 for
    /// every `x`) and of division by a power of two (`x / 4` is
    /// `x * 0.25`). [`fuse`] then folds constant chains.
    fn acc_op_const(&mut self, op: Op, k: R) -> Result<(), Error> {
        if op == Op::Pow {
            if k == R::ONE + R::ONE {
                return self.emit(Instr::Sq);
            } else if k == R::ONE {
                return Ok(());
            } else if k == -R::ONE {
                return self.emit(Instr::KBin(Op::Div, R::ONE));
            } else if k == R::ZERO {
                return self.emit(Instr::Const(R::ONE));
            }
        }
        match op {
            Op::Div if is_reciprocal_exact(k.to_f64()) => {
                self.emit(Instr::BinK(Op::Mul, R::ONE / k))
            }
            _ => self.emit(Instr::BinK(op, k)),
        }
    }

    /// `n.f`.
    fn field(
        &mut self,
        object: &'a str,
        object_span: Span,
        field: &'a str,
        field_span: Span,
    ) -> Result<Val<R>, Error> {
        let ctx = self.ctx;
        match resolve::field(object, field, field_span, self.scope_params(), ctx)? {
            Field::Param(i) => Ok(self.param(i)),
            Field::Constant(k) => self.folded(k),
            Field::Free => {
                if matches!(self.scope, Scope::Main) && self.free == FreeNames::AreParams {
                    let span = object_span.to(field_span);
                    let len = object.len() + 1 + field.len();
                    let mut name = ArenaVec::new_in(self.arena);
                    name.try_reserve_exact(len).map_err(|_| full(span))?;
                    name.try_extend_from_slice(object.as_bytes())
                        .map_err(|_| full(span))?;
                    name.push(b'.');
                    name.try_extend_from_slice(field.as_bytes())
                        .map_err(|_| full(span))?;
                    let name =
                        core::str::from_utf8(name.into_bump_slice()).map_err(|_| full(span))?;
                    return self.free_name(name, span);
                }
                Err(Error::new(ErrorKind::UnknownVariable, object_span))
            }
        }
    }
}
