//! `log`, `log2`, `log10`: table-driven with an extended-precision tail.

/// C `log` (temporarily libm's while the table-driven version lands).
pub(crate) fn log(x: f64) -> f64 {
    libm::log(x)
}
/// C `logf`.
pub(crate) fn logf(x: f32) -> f32 {
    libm::logf(x)
}
/// C `log2`.
pub(crate) fn log2(x: f64) -> f64 {
    libm::log2(x)
}
/// C `log2f`.
pub(crate) fn log2f(x: f32) -> f32 {
    libm::log2f(x)
}
/// C `log10`.
pub(crate) fn log10(x: f64) -> f64 {
    libm::log10(x)
}
/// C `log10f`.
pub(crate) fn log10f(x: f32) -> f32 {
    libm::log10f(x)
}
