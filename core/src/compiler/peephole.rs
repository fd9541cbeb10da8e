//! Peephole fusion: one pure function of (previous, next) instruction.
//!
//! Lowering emits plain instructions; [`fuse`] decides whether the
//! instruction just emitted and the one before it (in the same basic block)
//! become one. Every rewrite gives the same bits for every input (SPEC.md
//! "Exact rewrites").

use crate::program::{Instr, Op};
use crate::real::Real;

/// The one instruction that does what `prev` then `next` do, if any.
/// `prev` is decoded only when `next` is one of the few that fuse (the
/// emitter keeps its code as the evaluator's `Exec`).
pub(super) fn fuse<R: Real>(prev: impl FnOnce() -> Instr<R>, next: Instr<R>) -> Option<Instr<R>> {
    let prev = match next {
        // The `next` of the arms below.
        Instr::BinK(..)
        | Instr::KBin(..)
        | Instr::BinX(..)
        | Instr::F1(_)
        | Instr::Sq
        | Instr::Const(_) => prev(),
        _ => return None,
    };
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
    use super::fuse;
    use crate::exec::tests::every_instr;
    use crate::program::{Instr, Op};

    /// `fuse` decodes the previous instruction only for a `next` that fuses
    /// with some instruction: for every other one it answers without it.
    #[test]
    fn the_previous_instruction_is_decoded_only_when_it_can_matter() {
        let mut all = every_instr();
        all.extend([Instr::BinK(Op::Mul, 2.0), Instr::LoadK(Op::Mul, 0, 4.0)]);
        let mut fused = 0;
        for &next in &all {
            let fuses = all.iter().any(|&prev| fuse(|| prev, next).is_some());
            fused += usize::from(fuses);
            if !fuses {
                let decoded = core::cell::Cell::new(false);
                let none = fuse(
                    || {
                        decoded.set(true);
                        Instr::Load(0)
                    },
                    next,
                );
                assert_eq!((none, decoded.get()), (None, false), "{next:?}");
            }
        }
        // BinK, KBin and BinX with each of the 12 operators, one more
        // BinK, F1, Sq and Const.
        assert_eq!(fused, 12 * 3 + 4);
    }
}
