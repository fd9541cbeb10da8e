//! `pow`: log in extended precision, then exp with the tail.

/// C `pow` (temporarily libm's while the table-driven version lands).
pub(crate) fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}
/// C `powf`.
pub(crate) fn powf(x: f32, y: f32) -> f32 {
    libm::powf(x, y)
}
