//! The FPU's exact instructions where there are some, else `libm`.
//!
//! IEEE 754 requires `sqrt` to be correctly rounded and the rounding to an
//! integral value (`floor`, `ceil`, `trunc`, `round`) to be exact; libm's
//! functions are, so the instructions give the same bits for every non-NaN
//! input (NaN in, NaN out either way) in the FPU's default modes (round to
//! nearest, no flush-to-zero). With the `arm-vsqrt` feature they are the
//! Cortex-M7 FPU's `VSQRT` (about 100 instructions of software fewer per
//! call) and `VRINTM`/`VRINTP`/`VRINTZ`/`VRINTA` (FPv5; 508 B of flash
//! fewer in the demo), in both precisions. wasm's `f64.sqrt` and
//! `f64.floor` would do the same, but `core::arch::wasm32`'s are not
//! stable yet (`wasm_numeric_instr`). The feature is opt-in because Rust
//! cannot tell from `cfg` which FPU an Arm core has (a Cortex-M4F has
//! neither double precision nor `VRINT`: there the build fails to
//! assemble, it never runs wrong). [`fpu_mismatches`] checks them against
//! `libm` on the Cortex-M7 in QEMU (`ffi-qemu`).

/// Defines `$name(x: $t) -> $t` as one FPU instruction with the
/// `arm-vsqrt` feature on Arm, else as libm's `$libm`.
macro_rules! fpu_op {
    ($name:ident: $t:ty, $reg:ident, $insn:literal, $suffix:literal, $libm:path) => {
        #[doc = concat!("`", stringify!($libm), "`, or `", $insn, $suffix, "` with `arm-vsqrt` on Arm.")]
        #[cfg(all(target_arch = "arm", feature = "arm-vsqrt"))]
        #[allow(unsafe_code)]
        #[inline]
        pub(crate) fn $name(x: $t) -> $t {
            let r: $t;
            // SAFETY: one FPU instruction from a register to a register:
            // no memory, no stack. It may raise the FPSCR's cumulative
            // exception flags (inexact, invalid), so flags are not
            // declared preserved.
            unsafe {
                core::arch::asm!(
                    concat!($insn, $suffix, " {r}, {x}"),
                    x = in($reg) x,
                    r = lateout($reg) r,
                    options(pure, nomem, nostack)
                );
            }
            r
        }

        #[doc = concat!("`", stringify!($libm), "`.")]
        #[cfg(not(all(target_arch = "arm", feature = "arm-vsqrt")))]
        #[inline]
        pub(crate) fn $name(x: $t) -> $t {
            $libm(x)
        }
    };
}

/// One line per function: its `f64` and `f32` forms from one instruction
/// and libm's two, and the table [`fpu_mismatches`] checks them with.
macro_rules! fpu_ops {
    ($($f64:ident, $f32:ident: $insn:literal, $libm64:path, $libm32:path;)*) => {
        $(
            fpu_op!($f64: f64, dreg_low16, $insn, ".f64", $libm64);
            fpu_op!($f32: f32, sreg, $insn, ".f32", $libm32);
        )*

        /// Each function beside libm's, in `f64` and in `f32`.
        const CHECKED: &[((fn(f64) -> f64, fn(f64) -> f64), (fn(f32) -> f32, fn(f32) -> f32))] =
            &[$((($f64, $libm64), ($f32, $libm32))),*];
    };
}

fpu_ops! {
    sqrt, sqrtf: "vsqrt", libm::sqrt, libm::sqrtf;
    floor, floorf: "vrintm", libm::floor, libm::floorf;
    ceil, ceilf: "vrintp", libm::ceil, libm::ceilf;
    trunc, truncf: "vrintz", libm::trunc, libm::truncf;
    round, roundf: "vrinta", libm::round, libm::roundf;
}

/// Compares this build's [`sqrt`], [`floor`], [`ceil`], [`trunc`] and
/// [`round`] (and their `f32` forms) with `libm`'s on `n` pseudo-random bit
/// patterns of each precision (every class: subnormals, huge, negative,
/// NaN), plus rounded squares and their upper neighbours, and quarters
/// from -32 to 31.75 (the halfway cases of `round`, results of -0.0);
/// returns how many differ (NaN matches any NaN). For the doors'
/// on-target test (`exp_rs_ffi`'s thumb smoke test).
#[doc(hidden)]
pub fn fpu_mismatches(n: u32) -> u32 {
    let differ64 = |a: f64, b: f64| a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan());
    let differ32 = |a: f32, b: f32| a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan());
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut bad = 0;
    for _ in 0..n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // A random pattern; a square and its neighbour; a quarter between
        // -32 and 31.75 (halfway cases such as 2.5 and -0.5 for `round`).
        let s = f64::from_bits(state >> 12 | 0x3ff0_0000_0000_0000);
        let quarter = f64::from((state >> 56) as u8 as i8) / 4.0;
        let xs = [
            f64::from_bits(state),
            s * s,
            f64::from_bits((s * s).to_bits() + 1),
            quarter,
        ];
        let y32 = f32::from_bits((state >> 32) as u32);
        for &((hw64, soft64), (hw32, soft32)) in CHECKED {
            for x in xs {
                bad += differ64(hw64(x), soft64(x)) as u32;
                let y = x as f32;
                bad += differ32(hw32(y), soft32(y)) as u32;
            }
            bad += differ32(hw32(y32), soft32(y32)) as u32;
        }
    }
    bad
}
