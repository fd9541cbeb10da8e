//! `exp`: table-driven, e^x = 2^(k/N) · e^r.

/// C `exp` (temporarily libm's while the table-driven version lands).
pub(crate) fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// C `expf`.
pub(crate) fn expf(x: f32) -> f32 {
    libm::expf(x)
}
