//! The compiled [`Program`] and the evaluator loop.
//!
//! A program is a flat slice of `Copy` instructions for an accumulator
//! machine: the value being computed lives in a register (`acc`), pending
//! left operands and call arguments live on a value stack whose size the
//! compiler computed. Operands can be a constant or a parameter slot
//! directly (`acc = acc * 2`, `acc = acc + x`), so most operators need no
//! stack traffic at all.
//!
//! Evaluation is one loop over the slice: no recursion, no heap, no name
//! lookups, no panics. Everything it touches was sized at compile time.

use crate::fallible::Shared;

use crate::arena_vec::ArenaVec;

use crate::ast::BinaryOp;
use crate::builtins::{Func1, Func2};
use crate::context::SharedNative;
use crate::error::{Error, ErrorKind, Span};
use crate::exec::Exec;
use crate::real::Real;

/// An arithmetic or comparison operator of the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
    /// C `fmod`
    Rem,
    /// C `pow`
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    /// The machine operator of an arithmetic or comparison [`BinaryOp`];
    /// `None` for `,`, `&&` and `||`, which compile to control flow.
    pub(crate) fn from_binary(op: BinaryOp) -> Option<Op> {
        Some(match op {
            BinaryOp::Seq | BinaryOp::And | BinaryOp::Or => return None,
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
        })
    }

    /// True for the comparisons, whose result is already 1 or 0.
    pub(crate) fn is_comparison(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }

    /// Applies the operator.
    #[inline(always)]
    pub(crate) fn apply<R: Real>(self, a: R, b: R) -> R {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
            Op::Mul => a * b,
            Op::Div => a / b,
            Op::Rem => a.fmod(b),
            Op::Pow => a.pow(b),
            Op::Eq => R::from_bool(a == b),
            Op::Ne => R::from_bool(a != b),
            Op::Lt => R::from_bool(a < b),
            Op::Le => R::from_bool(a <= b),
            Op::Gt => R::from_bool(a > b),
            Op::Ge => R::from_bool(a >= b),
        }
    }

    /// `a op b == b op a` for every pair of values (bit-for-bit).
    pub(crate) fn is_commutative(self) -> bool {
        matches!(self, Op::Add | Op::Mul | Op::Eq | Op::Ne)
    }

    /// The operator as the disassembly prints it.
    pub(crate) const fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Rem => "%",
            Op::Pow => "^",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// One instruction. `acc` is the accumulator, `pop` takes the top of the
/// value stack, `x[s]` is parameter slot `s`, `arg[i]` is argument `i` of
/// the expression function being run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Instr<R> {
    /// `acc = k`
    Const(R),
    /// `acc = x[s]`
    Load(u32),
    /// `acc = arg[i]`
    Arg(u32),
    /// push `acc`
    Push,
    /// `acc = -acc`
    Neg,
    /// `acc = acc * acc` (what `acc ^ 2` is: `pow(x, 2)` returns `x * x`)
    Sq,
    /// `acc = !acc` (1 if `acc == 0`, else 0)
    Not,
    /// `acc = (acc != 0)` as 1 or 0
    Bool,
    /// `acc = pop op acc`
    Bin(Op),
    /// `acc = acc op k`
    BinK(Op, R),
    /// `acc = k op acc`
    KBin(Op, R),
    /// `acc = acc op x[s]`
    BinX(Op, u32),
    /// `acc = x[s] op acc`
    XBin(Op, u32),
    /// `acc = x[s] op k` (a fused `Load` + `BinK`)
    LoadK(Op, u32, R),
    /// `acc = k op x[s]` (a fused `Load` + `KBin`)
    KLoad(Op, R, u32),
    /// `acc = x[a] op x[b]` (a fused `Load` + `BinX`)
    LoadX(Op, u32, u32),
    /// `acc = f(x[s])` (a fused `Load` + `F1`)
    LoadF1(Func1, u32),
    /// `acc = f(acc)`
    F1(Func1),
    /// `acc = f(pop, acc)`
    F2(Func2),
    /// `acc = f(acc, k)`
    F2K(Func2, R),
    /// `acc = f(k, acc)`
    KF2(Func2, R),
    /// `acc = native[id](the top argc stack values)`; pops them
    Native {
        /// Index into the program's native table.
        id: u32,
        /// Argument count.
        argc: u32,
        /// The call, for errors.
        span: Span,
    },
    /// `acc = array[id][trunc(acc)]`, checked
    Index {
        /// Index into the program's array table.
        id: u32,
        /// The `a[i]` expression, for errors.
        span: Span,
    },
    /// Calls expression function `func` on the top `argc` stack values,
    /// which its `Ret` pops.
    Call {
        /// Index into the program's function table.
        func: u32,
        /// Argument count.
        argc: u32,
        /// The call, for errors.
        span: Span,
    },
    /// Returns `acc` from the current function (or from the program).
    Ret,
    /// Jump to `target`.
    Jump(u32),
    /// Jump to `target` when `acc == 0`.
    JumpIfFalse(u32),
    /// `&&`: when `acc == 0`, set `acc = 0` and jump to `target`.
    AndJump(u32),
    /// `||`: when `acc != 0`, set `acc = 1` and jump to `target`.
    OrJump(u32),
}

/// An expression function compiled into the program.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FunctionBlock<'a> {
    /// The function's name.
    pub(crate) name: &'a str,
    /// Where its code starts.
    pub(crate) entry: u32,
    /// Its parameter count.
    pub(crate) arity: u32,
    /// Its parameters' names.
    pub(crate) params: &'a [&'a str],
    /// Its whole definition; the spans of its instructions point into it.
    pub(crate) source: &'a str,
}

/// A compiled expression: it only exists if compilation succeeded, and then
/// evaluating it cannot panic and does not allocate.
///
/// It holds everything it uses: constants are folded into it, expression
/// functions are compiled into it, and it keeps its native functions and
/// arrays alive itself, so later changes to the context do not reach it.
/// [`crate::inspect`] shows it as data; `Display` prints its disassembly.
pub struct Program<'a, R: Real> {
    /// The instructions, in the form the evaluator runs
    /// ([`Exec::to_instr`] gives the one the compiler and the view see).
    pub(crate) code: &'a [Exec<R>],
    /// The span of the node each instruction was lowered from.
    pub(crate) spans: &'a [Span],
    /// Nodes of the main expression the compiler folded into constants.
    pub(crate) folded: &'a [Span],
    pub(crate) natives: ArenaVec<'a, (&'a str, SharedNative<R>)>,
    pub(crate) arrays: ArenaVec<'a, (&'a str, Shared<[R]>)>,
    pub(crate) functions: &'a [FunctionBlock<'a>],
    /// How many parameter values an evaluation takes.
    pub(crate) param_count: u32,
    /// The names of the parameter slots the program reads, by slot (for
    /// the program view; its own size, not the number of parameters).
    pub(crate) names: &'a [(u32, &'a str)],
    /// The whole expression, where `StepLimit` is reported.
    pub(crate) span: Span,
    /// Value-stack slots evaluation needs (including recursion).
    pub(crate) stack_size: u32,
    /// Call frames evaluation needs.
    pub(crate) frame_count: u32,
    /// Deepest call chain allowed before `RecursionLimit`.
    pub(crate) max_calls: u32,
    /// Calls allowed in one evaluation before `RecursionLimit`.
    pub(crate) max_total_calls: u32,
    /// Instructions one evaluation may execute before `StepLimit`.
    pub(crate) max_steps: u32,
}

/// A saved call frame.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Frame {
    ret: u32,
    base: u32,
}

/// The memory one evaluation works in, sized by the compiler and
/// allocated once (in the arena).
pub(crate) struct Scratch<'a, R> {
    pub(crate) stack: &'a mut [R],
    pub(crate) frames: &'a mut [Frame],
    /// Calls the running evaluation has made, bounded by
    /// `max_total_calls`. Kept in memory rather than in a local: only
    /// `Call` touches it, and it keeps a register free for the loop
    /// (ARCHITECTURE.md, "Running time").
    pub(crate) calls: u32,
    /// The instruction index at which the running evaluation's step
    /// budget runs out, for the straight run in progress (see
    /// [`Program::run`]).
    pub(crate) limit: usize,
}

impl<'a, R: Real> Scratch<'a, R> {
    /// Scratch space for programs needing at most `stack` values and
    /// `frames` call frames.
    pub(crate) fn new_in(arena: &'a bumpalo::Bump, stack: u32, frames: u32) -> Result<Self, Error> {
        let full = |_| Error::new(ErrorKind::ArenaFull, Span::default());
        Ok(Scratch {
            stack: arena
                .try_alloc_slice_fill_copy(stack as usize, R::ZERO)
                .map_err(full)?,
            frames: arena
                .try_alloc_slice_fill_copy(frames as usize, Frame::default())
                .map_err(full)?,
            calls: 0,
            limit: 0,
        })
    }

    /// No scratch at all, for programs that need none.
    pub(crate) fn empty() -> Self {
        Scratch {
            stack: &mut [],
            frames: &mut [],
            calls: 0,
            limit: 0,
        }
    }

    pub(crate) fn fits(&self, program: &Program<'_, R>) -> bool {
        self.stack.len() >= program.stack_size as usize
            && self.frames.len() >= program.frame_count as usize
    }
}

impl<'a, R: Real> Program<'a, R> {
    /// How many parameter values an evaluation takes.
    pub fn param_count(&self) -> usize {
        self.param_count as usize
    }

    /// The name of parameter slot `slot`, if the program reads it.
    pub fn param_name(&self, slot: u32) -> Option<&'a str> {
        let i = self.names.binary_search_by_key(&slot, |n| n.0).ok()?;
        self.names.get(i).map(|n| n.1)
    }

    /// How many value-stack slots an evaluation uses at most.
    pub fn stack_size(&self) -> usize {
        self.stack_size as usize
    }

    /// How many nested expression-function calls an evaluation may make.
    pub fn call_depth(&self) -> usize {
        self.frame_count as usize
    }

    /// Runs the program. `params` has exactly one value per parameter (the
    /// caller checked); `scratch` fits (the caller checked).
    ///
    /// Steps are executed instructions, counted a straight run at a time:
    /// each jump taken, call, return and the end charge the instructions
    /// run since control last arrived, so counting costs nothing inside a
    /// run. Past `max_steps` the evaluation stops with `StepLimit` at the
    /// first such point; every tier charges at the same points.
    #[inline(always)]
    pub(crate) fn run(&self, params: &[R], scratch: &mut Scratch<'_, R>) -> Result<R, Error> {
        let code = self.code;
        let stack = &mut *scratch.stack;
        let frames = &mut *scratch.frames;
        let calls = &mut scratch.calls;
        *calls = 0;
        // Steps: `limit` is the instruction index at which the budget runs
        // out if the straight run in progress goes on. A transfer of
        // control at `pc` to `to` checks `pc <= limit` and carries the
        // rest over: `limit = to + (limit - pc)`. One value, in memory
        // (a register here slows the whole loop), touched only at
        // transfers and at the end.
        let limit = &mut scratch.limit;
        *limit = self.max_steps as usize;
        macro_rules! charge {
            ($pc:expr) => {{
                if $pc > *limit {
                    return Err(Error::new(ErrorKind::StepLimit, self.span));
                }
            }};
            ($pc:expr, $to:expr) => {{
                charge!($pc);
                *limit = ($to).saturating_add(*limit - $pc);
            }};
        }
        let x = |s: u32| params.get(s as usize).copied().unwrap_or(R::NAN);
        let mut acc = R::ZERO;
        let mut sp = 0usize;
        let mut base = 0usize;
        let mut depth = 0usize;
        let mut pc = 0usize;
        // The call in the top-level code that entered the function being
        // run: errors inside function bodies are reported there, since the
        // caller's span is into their own source.
        let mut entry = Span::default();
        let at = |span: Span, depth: usize, entry: Span| if depth > 0 { entry } else { span };
        // Stack accesses use `get`: the compiler sized the stack, so they
        // always succeed; were that ever wrong the result would be NaN,
        // never a panic.
        macro_rules! pop {
            () => {{
                sp = sp.wrapping_sub(1);
                stack.get(sp).copied().unwrap_or(R::NAN)
            }};
        }
        loop {
            let Some(&instr) = code.get(pc) else {
                charge!(pc);
                return Ok(acc);
            };
            pc += 1;
            match instr {
                Exec::Const(k) => acc = k,
                Exec::Load(s) => acc = x(s),
                Exec::Arg(i) => acc = stack.get(base + i as usize).copied().unwrap_or(R::NAN),
                Exec::Push => {
                    if let Some(slot) = stack.get_mut(sp) {
                        *slot = acc;
                    }
                    sp += 1;
                }
                Exec::Neg => acc = -acc,
                Exec::Sq => acc = acc * acc,
                Exec::Not => acc = R::from_bool(!acc.truthy()),
                Exec::Bool => acc = R::from_bool(acc.truthy()),
                #[cfg(not(target_os = "none"))]
                Exec::Add => acc = pop!() + acc,
                #[cfg(not(target_os = "none"))]
                Exec::Sub => acc = pop!() - acc,
                #[cfg(not(target_os = "none"))]
                Exec::Mul => acc = pop!() * acc,
                #[cfg(not(target_os = "none"))]
                Exec::Div => acc = pop!() / acc,
                Exec::Bin(op) => {
                    let a = pop!();
                    acc = op.apply(a, acc);
                }
                #[cfg(not(target_os = "none"))]
                Exec::AddK(k) => acc = acc + k,
                #[cfg(not(target_os = "none"))]
                Exec::SubK(k) => acc = acc - k,
                #[cfg(not(target_os = "none"))]
                Exec::MulK(k) => acc = acc * k,
                #[cfg(not(target_os = "none"))]
                Exec::DivK(k) => acc = acc / k,
                Exec::BinK(op, k) => acc = op.apply(acc, k),
                #[cfg(not(target_os = "none"))]
                Exec::KAdd(k) => acc = k + acc,
                #[cfg(not(target_os = "none"))]
                Exec::KSub(k) => acc = k - acc,
                #[cfg(not(target_os = "none"))]
                Exec::KMul(k) => acc = k * acc,
                #[cfg(not(target_os = "none"))]
                Exec::KDiv(k) => acc = k / acc,
                Exec::KBin(op, k) => acc = op.apply(k, acc),
                #[cfg(not(target_os = "none"))]
                Exec::AddX(s) => acc = acc + x(s),
                #[cfg(not(target_os = "none"))]
                Exec::SubX(s) => acc = acc - x(s),
                #[cfg(not(target_os = "none"))]
                Exec::MulX(s) => acc = acc * x(s),
                #[cfg(not(target_os = "none"))]
                Exec::DivX(s) => acc = acc / x(s),
                Exec::BinX(op, s) => acc = op.apply(acc, x(s)),
                #[cfg(not(target_os = "none"))]
                Exec::XAdd(s) => acc = x(s) + acc,
                #[cfg(not(target_os = "none"))]
                Exec::XSub(s) => acc = x(s) - acc,
                #[cfg(not(target_os = "none"))]
                Exec::XMul(s) => acc = x(s) * acc,
                #[cfg(not(target_os = "none"))]
                Exec::XDiv(s) => acc = x(s) / acc,
                Exec::XBin(op, s) => acc = op.apply(x(s), acc),
                #[cfg(not(target_os = "none"))]
                Exec::LoadAddK(s, k) => acc = x(s) + k,
                #[cfg(not(target_os = "none"))]
                Exec::LoadSubK(s, k) => acc = x(s) - k,
                #[cfg(not(target_os = "none"))]
                Exec::LoadMulK(s, k) => acc = x(s) * k,
                #[cfg(not(target_os = "none"))]
                Exec::LoadDivK(s, k) => acc = x(s) / k,
                Exec::LoadK(op, s, k) => acc = op.apply(x(s), k),
                #[cfg(not(target_os = "none"))]
                Exec::KAddLoad(k, s) => acc = k + x(s),
                #[cfg(not(target_os = "none"))]
                Exec::KSubLoad(k, s) => acc = k - x(s),
                #[cfg(not(target_os = "none"))]
                Exec::KMulLoad(k, s) => acc = k * x(s),
                #[cfg(not(target_os = "none"))]
                Exec::KDivLoad(k, s) => acc = k / x(s),
                Exec::KLoad(op, k, s) => acc = op.apply(k, x(s)),
                #[cfg(not(target_os = "none"))]
                Exec::LoadAddX(a, b) => acc = x(a) + x(b),
                #[cfg(not(target_os = "none"))]
                Exec::LoadSubX(a, b) => acc = x(a) - x(b),
                #[cfg(not(target_os = "none"))]
                Exec::LoadMulX(a, b) => acc = x(a) * x(b),
                #[cfg(not(target_os = "none"))]
                Exec::LoadDivX(a, b) => acc = x(a) / x(b),
                Exec::LoadX(op, a, b) => acc = op.apply(x(a), x(b)),
                Exec::LoadF1(f, s) => acc = f.apply(x(s)),
                Exec::F1(f) => acc = f.apply(acc),
                Exec::F2(f) => {
                    let a = pop!();
                    acc = f.apply(a, acc);
                }
                Exec::F2K(f, k) => acc = f.apply(acc, k),
                Exec::KF2(f, k) => acc = f.apply(k, acc),
                Exec::Native { id, argc, span } => {
                    // The compiler pushed every argument: one contiguous slice.
                    let first = sp.saturating_sub(argc as usize);
                    let args = stack.get(first..sp).unwrap_or(&[]);
                    let f = self.natives.get(id as usize).map(|n| &**n.1);
                    acc = match f.map(|f| f(args)) {
                        Some(Ok(v)) => v,
                        _ => return Err(Error::new(ErrorKind::Callback, at(span, depth, entry))),
                    };
                    sp = first;
                }
                Exec::Index { id, span } => {
                    let array = self.arrays.get(id as usize).map_or(&[][..], |a| &a.1[..]);
                    acc = element(array, acc).ok_or(Error::new(
                        ErrorKind::IndexOutOfBounds,
                        at(span, depth, entry),
                    ))?;
                }
                Exec::Call { func, argc, span } => {
                    // Steps first: a run that used up the budget stops with
                    // `StepLimit` even where the call would also be refused.
                    charge!(pc);
                    let (Some(frame), Some(block)) =
                        (frames.get_mut(depth), self.functions.get(func as usize))
                    else {
                        return Err(Error::new(
                            ErrorKind::RecursionLimit,
                            at(span, depth, entry),
                        ));
                    };
                    if depth >= self.max_calls as usize || *calls >= self.max_total_calls {
                        return Err(Error::new(
                            ErrorKind::RecursionLimit,
                            at(span, depth, entry),
                        ));
                    }
                    if depth == 0 {
                        entry = span;
                    }
                    *limit = (block.entry as usize).saturating_add(*limit - pc);
                    *frame = Frame {
                        ret: pc as u32,
                        base: base as u32,
                    };
                    depth += 1;
                    *calls += 1;
                    base = sp.saturating_sub(argc as usize);
                    pc = block.entry as usize;
                }
                Exec::Ret => {
                    if depth == 0 {
                        charge!(pc);
                        return Ok(acc);
                    }
                    depth -= 1;
                    let frame = frames.get(depth).copied().unwrap_or_default();
                    charge!(pc, frame.ret as usize);
                    sp = base;
                    base = frame.base as usize;
                    pc = frame.ret as usize;
                }
                Exec::Jump(t) => {
                    charge!(pc, t as usize);
                    pc = t as usize;
                }
                Exec::JumpIfFalse(t) => {
                    if !acc.truthy() {
                        charge!(pc, t as usize);
                        pc = t as usize;
                    }
                }
                Exec::AndJump(t) => {
                    if !acc.truthy() {
                        charge!(pc, t as usize);
                        acc = R::ZERO;
                        pc = t as usize;
                    }
                }
                Exec::OrJump(t) => {
                    if acc.truthy() {
                        charge!(pc, t as usize);
                        acc = R::ONE;
                        pc = t as usize;
                    }
                }
            }
        }
    }
}

/// Runs each of `programs` with the same `params`, writing each result
/// (NaN on failure) and error into the slot of the same index; returns
/// the first error. The one copy of the evaluator loop (`run` inlined)
/// that [`crate::Batch::eval`] and, on bare metal, [`crate::Expr::eval`]
/// share: two inlined copies cost 6 KB of a Cortex-M7's flash (issue 14),
/// and one call per batch costs nothing measurable. `params` and
/// `scratch` fit every program (the callers checked).
#[inline(never)]
pub(crate) fn run_each<R: Real>(
    programs: &[Program<'_, R>],
    params: &[R],
    scratch: &mut Scratch<'_, R>,
    results: &mut [R],
    errors: &mut [Option<Error>],
) -> Option<Error> {
    let mut first = None;
    for (program, (result, error)) in programs.iter().zip(results.iter_mut().zip(errors)) {
        match program.run(params, scratch) {
            Ok(v) => {
                *result = v;
                *error = None;
            }
            Err(e) => {
                *result = R::NAN;
                *error = Some(e);
                first = first.or(Some(e));
            }
        }
    }
    first
}

/// `array[i]` with `i` truncated toward zero; `None` when `i` is negative,
/// NaN or past the end (SPEC.md: never a wrap-around, never element 0).
#[inline]
pub(crate) fn element<R: Real>(array: &[R], i: R) -> Option<R> {
    let i = i.trunc().to_f64();
    if i >= 0.0 && i < array.len() as f64 {
        array.get(i as usize).copied()
    } else {
        None
    }
}
