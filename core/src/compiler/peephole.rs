//! Peephole fusion: one pure function of (previous, next) instruction.
//!
//! Lowering emits plain instructions; [`fuse`] decides whether the
//! instruction just emitted and the one before it (in the same basic block)
//! become one. Every rewrite gives the same bits for every input (SPEC.md
//! "Exact rewrites").

use crate::program::{Instr, Op};
use crate::real::Real;

/// The one instruction that does what `prev` then `next` do, if any.
pub(super) fn fuse<R: Real>(prev: Instr<R>, next: Instr<R>) -> Option<Instr<R>> {
    match (prev, next) {
        // Superinstructions: an operation on a parameter just loaded.
        (Instr::Load(s), Instr::BinK(op, k)) => Some(Instr::LoadK(op, s, k)),
        (Instr::Load(s), Instr::KBin(op, k)) => Some(Instr::KLoad(op, k, s)),
        (Instr::Load(s), Instr::BinX(op, b)) => Some(Instr::LoadX(op, s, b)),
        (Instr::Load(s), Instr::F1(f)) => Some(Instr::LoadF1(f, s)),
        (Instr::Load(s), Instr::Sq) => Some(Instr::LoadX(Op::Mul, s, s)),
        (Instr::Const(k), Instr::BinX(op, s)) => Some(Instr::KLoad(op, k, s)),
        // A load whose value is overwritten at once (`x ^ 0` is 1).
        (Instr::Load(_), Instr::Const(k)) => Some(Instr::Const(k)),
        // Constant chains: `x * 2 * 3` is `x * 6`.
        (Instr::BinK(Op::Mul, a), Instr::BinK(Op::Mul, b)) => {
            exact_product(a, b).map(|p| Instr::BinK(Op::Mul, p))
        }
        (Instr::LoadK(Op::Mul, s, a), Instr::BinK(Op::Mul, b)) => {
            exact_product(a, b).map(|p| Instr::LoadK(Op::Mul, s, p))
        }
        _ => None,
    }
}

/// Whether `next` fuses with anything before it: it is the `next` of an
/// arm of [`fuse`]. Most instructions are not, and then the emitter need
/// not decode the instruction before them.
pub(super) fn can_fuse_after<R: Real>(next: Instr<R>) -> bool {
    matches!(
        next,
        Instr::BinK(..)
            | Instr::KBin(..)
            | Instr::BinX(..)
            | Instr::F1(_)
            | Instr::Sq
            | Instr::Const(_)
    )
}

/// `a * b` when `(x * a) * b == x * (a * b)` for every `x`, bit for bit:
/// `a` a power of two at least 1 (so `x * a` is exact or overflows either
/// way) and `b` finite and at least 1 in magnitude, with a finite product
/// (no rounding, overflow or zero can tell the two apart).
fn exact_product<R: Real>(a: R, b: R) -> Option<R> {
    let (af, bf) = (a.to_f64(), b.to_f64());
    let product = a * b;
    let exact = is_pow2_at_least_one(af.abs())
        && bf.is_finite()
        && bf.abs() >= 1.0
        && product.to_f64().is_finite();
    exact.then_some(product)
}

/// Exactly a power of two, 2^k with k >= 0.
fn is_pow2_at_least_one(x: f64) -> bool {
    x.is_finite() && x >= 1.0 && (x.to_bits() & ((1u64 << 52) - 1)) == 0
}

/// A power of two whose reciprocal is a normal number in both precisions,
/// so `x / k` is exactly `x * (1 / k)`.
pub(super) fn is_reciprocal_exact(x: f64) -> bool {
    let a = if x < 0.0 { -x } else { x };
    a.is_finite() && (x.to_bits() & ((1u64 << 52) - 1)) == 0 && (1e-30..=1e30).contains(&a)
}

/// True when `instr` leaves 1 or 0 in the accumulator (a comparison, `!`
/// or `bool`), so `&&`, `||` and `!!` need no extra `bool` after it.
pub(super) fn is_boolean<R: Real>(instr: Instr<R>) -> bool {
    match instr {
        Instr::Bin(op)
        | Instr::BinK(op, _)
        | Instr::KBin(op, _)
        | Instr::BinX(op, _)
        | Instr::XBin(op, _)
        | Instr::LoadX(op, ..)
        | Instr::LoadK(op, ..)
        | Instr::KLoad(op, ..) => op.is_comparison(),
        Instr::Not | Instr::Bool => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{can_fuse_after, fuse};
    use crate::builtins::Func1;
    use crate::program::{Instr, Op};

    /// Every pair `fuse` joins has a `next` that `can_fuse_after` admits,
    /// so the emitter's shortcut never loses a fusion.
    #[test]
    fn every_fused_next_is_admitted() {
        let sample: [Instr<f64>; 16] = [
            Instr::Const(2.0),
            Instr::Const(0.5),
            Instr::Load(0),
            Instr::Load(1),
            Instr::Push,
            Instr::Neg,
            Instr::Sq,
            Instr::Not,
            Instr::Bool,
            Instr::Bin(Op::Mul),
            Instr::BinK(Op::Mul, 2.0),
            Instr::BinK(Op::Add, 1.0),
            Instr::KBin(Op::Sub, 3.0),
            Instr::BinX(Op::Div, 1),
            Instr::LoadK(Op::Mul, 0, 4.0),
            Instr::F1(Func1::Sqrt),
        ];
        let mut fused = 0;
        for prev in sample {
            for next in sample {
                if fuse(prev, next).is_some() {
                    fused += 1;
                    assert!(can_fuse_after(next), "{next:?} after {prev:?}");
                }
            }
        }
        assert!(fused >= 8, "the sample exercises the fusions ({fused})");
    }
}
