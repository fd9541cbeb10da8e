//! The form of a program the evaluator loop runs: [`Instr`] with the
//! operator of the four arithmetic operators folded into the opcode.
//!
//! `Instr::BinK(Op::Add, k)` is two dispatches when run: one on the
//! instruction, then one on the operator. [`Exec::AddK`] is one (measured
//! against tinyexpr, interleaved: 20 to 33 % less time on the benchmark's
//! arithmetic expressions of 2 to 10 instructions). The compiler, the
//! peephole pass and the program view keep working on [`Instr`] (the
//! operator as data): a program stores `Exec`s, each converted from and
//! back to its `Instr` one to one ([`Exec::from_instr`],
//! [`Exec::to_instr`]), so jump targets, instruction counts (steps) and
//! arena bytes are what they were. `%`, `^` and the comparisons keep the
//! operator as data (`Exec::BinK(op, k)`): they are rarer, and `%` and `^`
//! cost a function call anyway.
//!
//! Bare-metal builds (`target_os = "none"`: the Cortex-M7 firmware) run
//! `Instr` itself (`Exec` is another name for it there). Built for size (`opt-level = "z"`) on a core with few registers,
//! the flat loop measured worse in QEMU (the firmware batch took 2,015
//! instructions against 1,867, and computed `acc op k` for all six forms
//! before every dispatch until that was blocked).

#[cfg(not(target_os = "none"))]
use crate::builtins::{Func1, Func2};
#[cfg(not(target_os = "none"))]
use crate::error::Span;
use crate::program::Instr;
#[cfg(not(target_os = "none"))]
use crate::program::Op;
use crate::real::Real;

/// One instruction as the evaluator runs it; see [`Instr`] for what each
/// does. `AddK(k)` is `BinK(Op::Add, k)`, `KSub(k)` is `KBin(Op::Sub, k)`,
/// `AddX(s)` is `BinX(Op::Add, s)`, `XSub(s)` is `XBin(Op::Sub, s)`,
/// `LoadAddK(s, k)` is `LoadK(Op::Add, s, k)`, `KSubLoad(k, s)` is
/// `KLoad(Op::Sub, k, s)`, `LoadAddX(a, b)` is `LoadX(Op::Add, a, b)`, and
/// so on for `Sub`, `Mul` and `Div`.
#[cfg(not(target_os = "none"))]
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub(crate) enum Exec<R> {
    Const(R),
    Load(u32),
    Arg(u32),
    Push,
    Neg,
    Sq,
    Not,
    Bool,
    // acc = pop op acc
    Add,
    Sub,
    Mul,
    Div,
    Bin(Op),
    // acc = acc op k
    AddK(R),
    SubK(R),
    MulK(R),
    DivK(R),
    BinK(Op, R),
    // acc = k op acc
    KAdd(R),
    KSub(R),
    KMul(R),
    KDiv(R),
    KBin(Op, R),
    // acc = acc op x[s]
    AddX(u32),
    SubX(u32),
    MulX(u32),
    DivX(u32),
    BinX(Op, u32),
    // acc = x[s] op acc
    XAdd(u32),
    XSub(u32),
    XMul(u32),
    XDiv(u32),
    XBin(Op, u32),
    // acc = x[s] op k
    LoadAddK(u32, R),
    LoadSubK(u32, R),
    LoadMulK(u32, R),
    LoadDivK(u32, R),
    LoadK(Op, u32, R),
    // acc = k op x[s]
    KAddLoad(R, u32),
    KSubLoad(R, u32),
    KMulLoad(R, u32),
    KDivLoad(R, u32),
    KLoad(Op, R, u32),
    // acc = x[a] op x[b]
    LoadAddX(u32, u32),
    LoadSubX(u32, u32),
    LoadMulX(u32, u32),
    LoadDivX(u32, u32),
    LoadX(Op, u32, u32),
    LoadF1(Func1, u32),
    F1(Func1),
    F2(Func2),
    F2K(Func2, R),
    KF2(Func2, R),
    Native { id: u32, argc: u32, span: Span },
    Index { id: u32, span: Span },
    Call { func: u32, argc: u32, span: Span },
    Ret,
    Jump(u32),
    JumpIfFalse(u32),
    AndJump(u32),
    OrJump(u32),
}

/// Picks the variant for `op` among the four arithmetic ones, else the
/// generic one with the operator as data.
#[cfg(not(target_os = "none"))]
macro_rules! by_op {
    ($op:expr, $add:expr, $sub:expr, $mul:expr, $div:expr, $other:expr) => {
        match $op {
            Op::Add => $add,
            Op::Sub => $sub,
            Op::Mul => $mul,
            Op::Div => $div,
            op => $other(op),
        }
    };
}

/// On bare metal the evaluator runs [`Instr`] itself.
#[cfg(target_os = "none")]
pub(crate) use crate::program::Instr as Exec;

#[cfg(target_os = "none")]
impl<R: Real> Instr<R> {
    /// `instr` itself: on bare metal the evaluator runs `Instr`.
    #[inline(always)]
    pub(crate) fn from_instr(instr: Instr<R>) -> Instr<R> {
        instr
    }

    /// `self`: on bare metal the evaluator runs `Instr`.
    #[inline(always)]
    pub(crate) fn to_instr(self) -> Instr<R> {
        self
    }
}

#[cfg(not(target_os = "none"))]
impl<R: Real> Exec<R> {
    /// The `Exec` form of `instr`: the same operation.
    pub(crate) fn from_instr(instr: Instr<R>) -> Exec<R> {
        use Exec as E;
        match instr {
            Instr::Const(k) => E::Const(k),
            Instr::Load(s) => E::Load(s),
            Instr::Arg(i) => E::Arg(i),
            Instr::Push => E::Push,
            Instr::Neg => E::Neg,
            Instr::Sq => E::Sq,
            Instr::Not => E::Not,
            Instr::Bool => E::Bool,
            Instr::Bin(op) => by_op!(op, E::Add, E::Sub, E::Mul, E::Div, E::Bin),
            Instr::BinK(op, k) => by_op!(op, E::AddK(k), E::SubK(k), E::MulK(k), E::DivK(k), |o| {
                E::BinK(o, k)
            }),
            Instr::KBin(op, k) => by_op!(op, E::KAdd(k), E::KSub(k), E::KMul(k), E::KDiv(k), |o| {
                E::KBin(o, k)
            }),
            Instr::BinX(op, s) => by_op!(op, E::AddX(s), E::SubX(s), E::MulX(s), E::DivX(s), |o| {
                E::BinX(o, s)
            }),
            Instr::XBin(op, s) => by_op!(op, E::XAdd(s), E::XSub(s), E::XMul(s), E::XDiv(s), |o| {
                E::XBin(o, s)
            }),
            Instr::LoadK(op, s, k) => by_op!(
                op,
                E::LoadAddK(s, k),
                E::LoadSubK(s, k),
                E::LoadMulK(s, k),
                E::LoadDivK(s, k),
                |o| E::LoadK(o, s, k)
            ),
            Instr::KLoad(op, k, s) => by_op!(
                op,
                E::KAddLoad(k, s),
                E::KSubLoad(k, s),
                E::KMulLoad(k, s),
                E::KDivLoad(k, s),
                |o| E::KLoad(o, k, s)
            ),
            Instr::LoadX(op, a, b) => by_op!(
                op,
                E::LoadAddX(a, b),
                E::LoadSubX(a, b),
                E::LoadMulX(a, b),
                E::LoadDivX(a, b),
                |o| E::LoadX(o, a, b)
            ),
            Instr::LoadF1(f, s) => E::LoadF1(f, s),
            Instr::F1(f) => E::F1(f),
            Instr::F2(f) => E::F2(f),
            Instr::F2K(f, k) => E::F2K(f, k),
            Instr::KF2(f, k) => E::KF2(f, k),
            Instr::Native { id, argc, span } => E::Native { id, argc, span },
            Instr::Index { id, span } => E::Index { id, span },
            Instr::Call { func, argc, span } => E::Call { func, argc, span },
            Instr::Ret => E::Ret,
            Instr::Jump(t) => E::Jump(t),
            Instr::JumpIfFalse(t) => E::JumpIfFalse(t),
            Instr::AndJump(t) => E::AndJump(t),
            Instr::OrJump(t) => E::OrJump(t),
        }
    }

    /// The [`Instr`] this is the form of: `Exec::from_instr(i).to_instr()`
    /// is `i`.
    pub(crate) fn to_instr(self) -> Instr<R> {
        use Exec as E;
        use Instr as I;
        match self {
            E::Const(k) => I::Const(k),
            E::Load(s) => I::Load(s),
            E::Arg(i) => I::Arg(i),
            E::Push => I::Push,
            E::Neg => I::Neg,
            E::Sq => I::Sq,
            E::Not => I::Not,
            E::Bool => I::Bool,
            E::Add => I::Bin(Op::Add),
            E::Sub => I::Bin(Op::Sub),
            E::Mul => I::Bin(Op::Mul),
            E::Div => I::Bin(Op::Div),
            E::Bin(op) => I::Bin(op),
            E::AddK(k) => I::BinK(Op::Add, k),
            E::SubK(k) => I::BinK(Op::Sub, k),
            E::MulK(k) => I::BinK(Op::Mul, k),
            E::DivK(k) => I::BinK(Op::Div, k),
            E::BinK(op, k) => I::BinK(op, k),
            E::KAdd(k) => I::KBin(Op::Add, k),
            E::KSub(k) => I::KBin(Op::Sub, k),
            E::KMul(k) => I::KBin(Op::Mul, k),
            E::KDiv(k) => I::KBin(Op::Div, k),
            E::KBin(op, k) => I::KBin(op, k),
            E::AddX(s) => I::BinX(Op::Add, s),
            E::SubX(s) => I::BinX(Op::Sub, s),
            E::MulX(s) => I::BinX(Op::Mul, s),
            E::DivX(s) => I::BinX(Op::Div, s),
            E::BinX(op, s) => I::BinX(op, s),
            E::XAdd(s) => I::XBin(Op::Add, s),
            E::XSub(s) => I::XBin(Op::Sub, s),
            E::XMul(s) => I::XBin(Op::Mul, s),
            E::XDiv(s) => I::XBin(Op::Div, s),
            E::XBin(op, s) => I::XBin(op, s),
            E::LoadAddK(s, k) => I::LoadK(Op::Add, s, k),
            E::LoadSubK(s, k) => I::LoadK(Op::Sub, s, k),
            E::LoadMulK(s, k) => I::LoadK(Op::Mul, s, k),
            E::LoadDivK(s, k) => I::LoadK(Op::Div, s, k),
            E::LoadK(op, s, k) => I::LoadK(op, s, k),
            E::KAddLoad(k, s) => I::KLoad(Op::Add, k, s),
            E::KSubLoad(k, s) => I::KLoad(Op::Sub, k, s),
            E::KMulLoad(k, s) => I::KLoad(Op::Mul, k, s),
            E::KDivLoad(k, s) => I::KLoad(Op::Div, k, s),
            E::KLoad(op, k, s) => I::KLoad(op, k, s),
            E::LoadAddX(a, b) => I::LoadX(Op::Add, a, b),
            E::LoadSubX(a, b) => I::LoadX(Op::Sub, a, b),
            E::LoadMulX(a, b) => I::LoadX(Op::Mul, a, b),
            E::LoadDivX(a, b) => I::LoadX(Op::Div, a, b),
            E::LoadX(op, a, b) => I::LoadX(op, a, b),
            E::LoadF1(f, s) => I::LoadF1(f, s),
            E::F1(f) => I::F1(f),
            E::F2(f) => I::F2(f),
            E::F2K(f, k) => I::F2K(f, k),
            E::KF2(f, k) => I::KF2(f, k),
            E::Native { id, argc, span } => I::Native { id, argc, span },
            E::Index { id, span } => I::Index { id, span },
            E::Call { func, argc, span } => I::Call { func, argc, span },
            E::Ret => I::Ret,
            E::Jump(t) => I::Jump(t),
            E::JumpIfFalse(t) => I::JumpIfFalse(t),
            E::AndJump(t) => I::AndJump(t),
            E::OrJump(t) => I::OrJump(t),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const OPS: [Op; 12] = [
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::Rem,
        Op::Pow,
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
    ];

    /// Every instruction shape, with every operator where it has one.
    pub(crate) fn every_instr() -> alloc::vec::Vec<Instr<f64>> {
        let span = Span { start: 3, end: 9 };
        let mut all = alloc::vec![
            Instr::Const(2.5),
            Instr::Load(1),
            Instr::Arg(2),
            Instr::Push,
            Instr::Neg,
            Instr::Sq,
            Instr::Not,
            Instr::Bool,
            Instr::LoadF1(Func1::Sqrt, 4),
            Instr::F1(Func1::Abs),
            Instr::F2(Func2::Hypot),
            Instr::F2K(Func2::Min, 1.5),
            Instr::KF2(Func2::Fmod, -3.0),
            Instr::Native {
                id: 1,
                argc: 2,
                span,
            },
            Instr::Index { id: 3, span },
            Instr::Call {
                func: 0,
                argc: 1,
                span,
            },
            Instr::Ret,
            Instr::Jump(7),
            Instr::JumpIfFalse(8),
            Instr::AndJump(9),
            Instr::OrJump(10),
        ];
        for op in OPS {
            all.extend([
                Instr::Bin(op),
                Instr::BinK(op, 0.25),
                Instr::KBin(op, -4.0),
                Instr::BinX(op, 5),
                Instr::XBin(op, 6),
                Instr::LoadK(op, 7, 8.0),
                Instr::KLoad(op, 9.0, 10),
                Instr::LoadX(op, 11, 12),
            ]);
        }
        all
    }

    #[test]
    fn every_instruction_converts_there_and_back_unchanged() {
        for instr in every_instr() {
            assert_eq!(Exec::from_instr(instr).to_instr(), instr);
        }
    }

    #[test]
    #[cfg(not(target_os = "none"))]
    fn the_four_arithmetic_operators_get_opcodes_of_their_own() {
        assert_eq!(Exec::from_instr(Instr::BinK(Op::Add, 2.0)), Exec::AddK(2.0));
        assert_eq!(
            Exec::from_instr(Instr::<f64>::LoadX(Op::Div, 1, 2)),
            Exec::LoadDivX(1, 2)
        );
        assert_eq!(Exec::<f64>::from_instr(Instr::Bin(Op::Sub)), Exec::Sub);
        assert_eq!(
            Exec::from_instr(Instr::BinK(Op::Pow, 1.5)),
            Exec::BinK(Op::Pow, 1.5)
        );
    }
}
