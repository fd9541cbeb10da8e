//! Square root: the hardware instruction where there is one, else `libm`.
//!
//! IEEE 754 requires `sqrt` to be correctly rounded, and `libm::sqrt` is,
//! so the instruction gives the same bits for every non-NaN input (NaN in,
//! NaN out either way): with the `arm-vsqrt` feature, the Arm FPU's
//! `VSQRT.F64`/`VSQRT.F32` (about 100 instructions of software fewer per
//! call on a Cortex-M7). wasm's `f64.sqrt` would do the same, but
//! `core::arch::wasm32::f64_sqrt` is not stable yet (`wasm_numeric_instr`). The feature is
//! opt-in because Rust cannot tell from `cfg` whether an Arm FPU has double
//! precision (a Cortex-M4F has not: there the build fails to assemble, it
//! never runs wrong). Checked against `libm` on the Cortex-M7 in QEMU
//! (`ffi-qemu`).

/// `sqrt` in `f64`.
#[cfg(all(target_arch = "arm", feature = "arm-vsqrt"))]
#[allow(unsafe_code)]
#[inline]
pub(crate) fn sqrt(x: f64) -> f64 {
    let r: f64;
    // SAFETY: one FPU instruction from a register to a register: no
    // memory, no stack, no condition flags.
    unsafe {
        core::arch::asm!(
            "vsqrt.f64 {r}, {x}",
            x = in(dreg_low16) x,
            r = lateout(dreg_low16) r,
            options(pure, nomem, nostack, preserves_flags)
        );
    }
    r
}

/// `sqrt` in `f32`.
#[cfg(all(target_arch = "arm", feature = "arm-vsqrt"))]
#[allow(unsafe_code)]
#[inline]
pub(crate) fn sqrtf(x: f32) -> f32 {
    let r: f32;
    // SAFETY: as `sqrt`.
    unsafe {
        core::arch::asm!(
            "vsqrt.f32 {r}, {x}",
            x = in(sreg) x,
            r = lateout(sreg) r,
            options(pure, nomem, nostack, preserves_flags)
        );
    }
    r
}

/// `sqrt` in `f64`.
#[cfg(not(all(target_arch = "arm", feature = "arm-vsqrt")))]
#[inline]
pub(crate) fn sqrt(x: f64) -> f64 {
    libm::sqrt(x)
}

/// `sqrt` in `f32`.
#[cfg(not(all(target_arch = "arm", feature = "arm-vsqrt")))]
#[inline]
pub(crate) fn sqrtf(x: f32) -> f32 {
    libm::sqrtf(x)
}

/// Compares this build's `sqrt` with `libm`'s on `n` pseudo-random `f64`
/// bit patterns (every class: subnormals, huge, negative, NaN) and as many
/// `f32`; returns how many differ (NaN matches any NaN). For the doors'
/// on-target test (`exp_rs_ffi`'s thumb smoke test).
#[doc(hidden)]
pub fn sqrt_mismatches(n: u32) -> u32 {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut bad = 0;
    for _ in 0..n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let x = f64::from_bits(state);
        let (a, b) = (sqrt(x), libm::sqrt(x));
        if a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()) {
            bad += 1;
        }
        let y = f32::from_bits((state >> 32) as u32);
        let (a, b) = (sqrtf(y), libm::sqrtf(y));
        if a.to_bits() != b.to_bits() && !(a.is_nan() && b.is_nan()) {
            bad += 1;
        }
        // And the exact squares and their neighbours.
        let s = f64::from_bits(state >> 12 | 0x3ff0_0000_0000_0000);
        for z in [s * s, f64::from_bits((s * s).to_bits() + 1)] {
            if sqrt(z).to_bits() != libm::sqrt(z).to_bits() {
                bad += 1;
            }
        }
    }
    bad
}
