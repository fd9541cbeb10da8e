//! `log`, `log2`, `log10`: x = 2^k · z with z in [0.705, 1.41), then
//! log x = k ln 2 - ln(invc) + log1p(z · invc - 1), where `invc` (11 bits)
//! is the table's inverse of the centre of z's subinterval (N = 128) and
//! log1p(r) = r - r²/2 + r³·poly(r) on |r| ≤ 0.0041.
//!
//! [`log_ext`] returns the logarithm as an unevaluated sum `hi + lo` with
//! an error of about 2^-76 (absolute) plus 2^-68 relative: `z · invc - 1`
//! is computed exactly in two parts (no FMA needed: z is split so that
//! every product is exact), every addition of the large terms keeps its
//! rounding error, and the subinterval around 1 has invc = 1, so near 1
//! nothing cancels. `log` rounds `hi + lo` once; `log2` and `log10`
//! multiply it by 1/ln 2 or 1/ln 10 in double-double first; `pow` uses
//! [`log_pow`], the same with more of the sum in `hi`.

use super::tables::{
    INV_LN2, INV_LN10, LOG_BITS, LOG_LN2_HI, LOG_LN2_LO, LOG_OFF, LOG_POLY as A, LOG_TABLE,
};

/// The reduction shared by [`log_ext`] and [`log_short`]: x = 2^k · z,
/// the table row of z's subinterval, and r = z · invc - 1 = rhi + rlo
/// exactly (zhi has 21 bits and invc 11, so zhi · invc is exact and so is
/// its difference with 1, 26 bits; zlo = z - zhi has 32 bits, so zlo · invc
/// is exact too). For x given by its bits `ix`: positive and normal, or a
/// subnormal normalised as `bits(x · 2^52) - (52 << 52)`.
#[inline(always)]
fn reduce_z(ix: u64) -> (f64, (f64, f64, f64), f64, f64) {
    let n = 1u64 << LOG_BITS;
    let tmp = ix.wrapping_sub(LOG_OFF);
    let i = ((tmp >> (52 - LOG_BITS)) & (n - 1)) as usize;
    #[allow(clippy::cast_possible_wrap)]
    let k = (tmp as i64) >> 52;
    let iz = ix.wrapping_sub(tmp & (0xfff << 52));
    let z = f64::from_bits(iz);
    #[allow(clippy::cast_precision_loss)]
    let kd = k as f64;
    let row = LOG_TABLE[i];
    let zhi = f64::from_bits(iz.wrapping_add(1 << 31) & (u64::MAX << 32));
    let zlo = z - zhi;
    let rhi = zhi * row.0 - 1.0;
    let rlo = zlo * row.0;
    (kd, row, rhi, rlo)
}

/// ln x as `hi + lo` (|lo| ≤ 2^-20 |hi|, not renormalised: the callers
/// round it once or use it whole), about 2^-76 absolute plus 2^-68
/// relative: every rounding error of the large terms is kept, -r²/2 too.
/// `ix` as for [`reduce_z`].
#[inline(always)]
pub(super) fn log_ext(ix: u64) -> (f64, f64) {
    let (kd, (_, logc_hi, logc_lo), rhi, rlo) = reduce_z(ix);
    let r = rhi + rlo;
    let r_err = (rhi - r) + rlo;
    // k ln 2 + logc + r, keeping each rounding error (Fast2Sum: |t1| ≥
    // |r|, as |k ln 2| > |logc| when k ≠ 0 and |logc| ≥ |r| in every
    // subinterval but the one around 1, where logc = 0; the script checks
    // it).
    // Exact: k · LN2_HI and logc_hi are multiples of 2^-42 below 2^10.
    let t1 = kd * LOG_LN2_HI + logc_hi;
    let t2 = t1 + r;
    let e2 = (t1 - t2) + r;
    // - r²/2: rhi²/2 is exact; the rest is -rlo (rhi + r)/2.
    let arhi = -0.5 * rhi;
    let arhi2 = rhi * arhi;
    let hi = t2 + arhi2;
    let e3 = (t2 - hi) + arhi2;
    let lo3 = rlo * (-0.5 * r + arhi);
    let r2 = r * r;
    let p = r2 * r * ((A[0] + r * A[1]) + r2 * (A[2] + r * A[3]) + r2 * r2 * (A[4] + r * A[5]));
    let lo = (kd * LOG_LN2_LO + logc_lo) + e2 + (e3 + r_err) + lo3 + p;
    (hi, lo)
}

/// ln x as `hi + lo` for `pow`: as [`log_ext`] (the same error), but `hi`
/// also carries A0·rhi³ (about r³/3), so that |lo| ≤ 2^-25 |hi| and `hi` is
/// ready early: `pow` takes its k from y · hi and adds y · lo later.
#[inline(always)]
pub(super) fn log_pow(ix: u64) -> (f64, f64) {
    let (kd, (_, logc_hi, logc_lo), rhi, rlo) = reduce_z(ix);
    let r = rhi + rlo;
    let r_err = (rhi - r) + rlo;
    // k ln 2 + logc + r as in `log_ext`.
    let t1 = kd * LOG_LN2_HI + logc_hi;
    let t2 = t1 + r;
    let e2 = (t1 - t2) + r;
    // s = -rhi²/2 + A0·rhi³ and its rounding error (Fast2Sum: |A0 rhi³| ≈
    // |rhi|³/3 ≤ rhi²/2); rhi²/2 is exact, c3 rounded (2^-78 absolute).
    let arhi = -0.5 * rhi;
    let arhi2 = rhi * arhi;
    let c3 = (rhi * rhi) * (rhi * A[0]);
    let s = arhi2 + c3;
    let es = (arhi2 - s) + c3;
    // Fast2Sum: |t2| ≥ |s| (t2 = r in the subinterval around 1, else
    // |t2| ≥ 0.0037 > r²).
    let hi = t2 + s;
    let e3 = (t2 - hi) + s;
    let lo3 = rlo * (-0.5 * r + arhi);
    let r2 = r * r;
    let p = r2 * r * ((A[0] + r * A[1]) + r2 * (A[2] + r * A[3]) + r2 * r2 * (A[4] + r * A[5]));
    // p - c3 is exact (Sterbenz: p ≈ A0 r³ and rhi ≈ r), below 2^-33.
    let lo = (kd * LOG_LN2_LO + logc_lo) + e2 + (e3 + r_err) + (es + lo3) + (p - c3);
    (hi, lo)
}

/// ln x rounded, for `log` alone: as [`log_ext`] but -r²/2 joins the
/// polynomial, whose rounding (about 2^-70 absolute) only matters within a
/// few percent of x = 1, where it stays below 2^-61 relative. Fewer
/// operations, so `log` keeps pace with glibc's FMA version.
#[inline(always)]
fn log_short(ix: u64) -> f64 {
    let (kd, (_, logc_hi, logc_lo), rhi, rlo) = reduce_z(ix);
    let r = rhi + rlo;
    let r_err = (rhi - r) + rlo;
    // Exact: k · LN2_HI and logc_hi are multiples of 2^-42 below 2^10.
    let t1 = kd * LOG_LN2_HI + logc_hi;
    let t2 = t1 + r;
    let e2 = (t1 - t2) + r;
    let r2 = r * r;
    let p = r2
        * ((-0.5 + r * A[0]) + r2 * (A[1] + r * A[2]) + r2 * r2 * ((A[3] + r * A[4]) + r2 * A[5]));
    let lo = (kd * LOG_LN2_LO + logc_lo) + (e2 + r_err) + p;
    t2 + lo
}

/// What `log(x)` is for the arguments outside `log_ext`'s domain (zero,
/// negative, subnormal, infinite, NaN): `Ok(result)`, or `Err(bits)` with a
/// subnormal's normalised bits.
#[inline(always)]
fn special(x: f64) -> Result<f64, u64> {
    let ix = x.to_bits();
    if ix << 1 == 0 {
        return Ok(f64::NEG_INFINITY); // ±0
    }
    if ix == f64::INFINITY.to_bits() {
        return Ok(x);
    }
    if x.is_nan() {
        return Ok(x);
    }
    if ix >> 63 != 0 {
        return Ok(f64::NAN); // negative
    }
    // Subnormal: scale into the normal range, keep the exponent.
    Err((x * f64::from_bits(0x4330_0000_0000_0000))
        .to_bits()
        .wrapping_sub(52 << 52))
}

/// The bits `log_ext` takes, or the answer for the special arguments.
#[inline(always)]
fn reduce(x: f64) -> Result<u64, f64> {
    let ix = x.to_bits();
    let top = ix >> 52;
    // Positive normal finite numbers: exponent field 1..=0x7fe, sign 0.
    if top.wrapping_sub(1) < 0x7fe {
        return Ok(ix);
    }
    match special(x) {
        Ok(v) => Err(v),
        Err(bits) => Ok(bits),
    }
}

/// C `log` (natural logarithm).
pub(crate) fn log(x: f64) -> f64 {
    match reduce(x) {
        Ok(ix) => log_short(ix),
        Err(v) => v,
    }
}

/// `(hi + lo) · c` for a double-double constant `c` (high, low, and the
/// high part split in two 26-bit halves), rounded once.
#[inline(always)]
fn times(hi: f64, lo: f64, c: &[f64; 4]) -> f64 {
    // Veltkamp split of hi: hh has 26 bits, so every partial product of
    // hh, hl with c[2], c[3] is exact.
    let t = hi * 134_217_729.0;
    let hh = t - (t - hi);
    let hl = hi - hh;
    let p = hi * c[0];
    let err = (((hh * c[2] - p) + hh * c[3]) + hl * c[2]) + hl * c[3];
    p + (err + (hi * c[1] + lo * c[0]))
}

/// C `log2`.
pub(crate) fn log2(x: f64) -> f64 {
    match reduce(x) {
        Ok(ix) => {
            let (hi, lo) = log_ext(ix);
            times(hi, lo, &INV_LN2)
        }
        Err(v) => v,
    }
}

/// C `log10`.
pub(crate) fn log10(x: f64) -> f64 {
    match reduce(x) {
        Ok(ix) => {
            let (hi, lo) = log_ext(ix);
            times(hi, lo, &INV_LN10)
        }
        Err(v) => v,
    }
}

/// C `logf`: `log` in f64, rounded once to f32.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn logf(x: f32) -> f32 {
    log(f64::from(x)) as f32
}

/// C `log2f`.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn log2f(x: f32) -> f32 {
    log2(f64::from(x)) as f32
}

/// C `log10f`.
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn log10f(x: f32) -> f32 {
    log10(f64::from(x)) as f32
}
