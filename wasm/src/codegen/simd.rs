//! The batch loop two rows at a time: the main code as 128-bit SIMD
//! (`f64x2`), for programs that are straight arithmetic.
//!
//! Each `f64x2` lane computes exactly what the scalar instruction computes
//! (IEEE 754 per lane: `+ - * /`, `sqrt` correctly rounded, `abs`, `neg`,
//! `floor`, `ceil`, `trunc` exact), so results keep their bits; only a
//! NaN's payload may differ, and every NaN is the same result to exp-rs.
//! Two rows per instruction doubles the throughput of division and square
//! root, which bound the arithmetic rows of the benchmark.
//!
//! Only a block without jumps, calls of anything but those built-ins,
//! array reads or comparisons is vectorised, and only when its static step
//! count is within the limit (a straight run either always fails or never
//! does: the scalar loop reports that failure). Anything else returns
//! `None` and the batch loop stays scalar.

use exp_rs::inspect::{Instruction, Operand};

use super::Module;
use super::body::Block;
use super::encode::{Bytes, op};

/// The value type `v128`.
pub(super) const V128: u8 = 0x7B;

/// SIMD opcodes (after the `0xFD` prefix).
pub(super) mod vop {
    pub const V128_LOAD: u32 = 0x00;
    pub const V128_STORE: u32 = 0x0B;
    pub const V128_CONST: u32 = 0x0C;
    pub const F64X2_NEG: u32 = 0xED;
    pub const F64X2_ADD: u32 = 0xF0;
    pub const F64X2_SUB: u32 = 0xF1;
    pub const F64X2_MUL: u32 = 0xF2;
    pub const F64X2_DIV: u32 = 0xF3;
}

/// The `f64x2` instruction for operator `symbol`.
fn operator(symbol: &str) -> Option<u32> {
    Some(match symbol {
        "+" => vop::F64X2_ADD,
        "-" => vop::F64X2_SUB,
        "*" => vop::F64X2_MUL,
        "/" => vop::F64X2_DIV,
        _ => return None,
    })
}

/// The main code as `f64x2` instructions over v128 locals from `base` on
/// (the values, then the accumulator, then the stack slots), leaving the
/// two results on the wasm stack; and how many v128 locals it uses.
/// `None` when the block is not straight arithmetic (see the module doc).
pub(super) fn body(
    m: &Module<'_, '_>,
    insns: &[Instruction<'_, f64>],
    block: &Block,
    base: u32,
) -> Option<(Vec<u8>, u32)> {
    if block.arity.is_some() || block.end > m.limits.max_steps as usize {
        return None;
    }
    let acc = base + m.params;
    let slot = |i: i64| u32::try_from(i).ok().map(|i| acc + 1 + i);
    let mut code = Bytes::default();
    let mut sp: i64 = 0;
    let mut max_sp: i64 = 0;
    let fd = |code: &mut Bytes, o: u32| {
        code.byte(op::PREFIX_FD).u32(o);
    };
    for insn in insns.get(block.start..block.end)? {
        // Pushes an operand's two lanes.
        let value = |code: &mut Bytes, sp: &mut i64, o: Operand<'_, f64>| -> Option<()> {
            match o {
                Operand::Acc => {
                    code.byte(op::LOCAL_GET).u32(acc);
                }
                Operand::Pop => {
                    *sp -= 1;
                    code.byte(op::LOCAL_GET).u32(slot(*sp)?);
                }
                Operand::Const(k) => splat(code, k),
                Operand::Param { slot, .. } if slot < m.params => {
                    code.byte(op::LOCAL_GET).u32(base + slot);
                }
                // As the interpreter: a slot past the values is NaN.
                Operand::Param { .. } => splat(code, f64::NAN),
                _ => return None,
            }
            Some(())
        };
        let mut operands = insn.operands();
        match insn.opcode {
            "const" | "load" => value(&mut code, &mut sp, operands.next()?)?,
            "push" => {
                code.byte(op::LOCAL_GET).u32(acc);
                code.byte(op::LOCAL_SET).u32(slot(sp)?);
                sp += 1;
                max_sp = max_sp.max(sp);
                continue;
            }
            "neg" => {
                code.byte(op::LOCAL_GET).u32(acc);
                fd(&mut code, vop::F64X2_NEG);
            }
            "square" => {
                code.byte(op::LOCAL_GET).u32(acc);
                code.byte(op::LOCAL_GET).u32(acc);
                fd(&mut code, vop::F64X2_MUL);
            }
            "+" | "-" | "*" | "/" => {
                let (a, b) = (operands.next()?, operands.next()?);
                value(&mut code, &mut sp, a)?;
                value(&mut code, &mut sp, b)?;
                fd(&mut code, operator(insn.opcode)?);
            }
            "call" => {
                let Some(Operand::Builtin(name)) = operands.next() else {
                    return None;
                };
                let o = super::math::vector_instruction(name)?;
                let arg = operands.next()?;
                if operands.next().is_some() {
                    return None;
                }
                value(&mut code, &mut sp, arg)?;
                fd(&mut code, o);
            }
            _ => return None,
        }
        if sp < 0 {
            return None;
        }
        code.byte(op::LOCAL_SET).u32(acc);
    }
    code.byte(op::LOCAL_GET).u32(acc);
    let locals = m.params + 1 + u32::try_from(max_sp).ok()?;
    Some((code.0, locals))
}

/// `v128.const` with `k` in both lanes.
fn splat(code: &mut Bytes, k: f64) {
    code.byte(op::PREFIX_FD).u32(vop::V128_CONST);
    code.f64(k).f64(k);
}
