//! The firmware shape: the 7 `firmware` cases over their 10 shared
//! parameters, one tick at a time. exp-rs evaluates them as one `Batch`;
//! every other library evaluates its 7 compiled expressions in turn. Shared
//! by the criterion bench (`benches/eval.rs`) and the interleaved one
//! (`benches/versus.rs`), so both time the same work.

use crate::{CASES, Case, Compiled, Lib, compile};

/// Inputs that move a little every iteration, so nothing is hoisted.
pub fn nudge(vals: &mut [f64], base: &[f64], i: usize) {
    let d = (i & 1023) as f64 * 1e-6;
    for (v, b) in vals.iter_mut().zip(base) {
        *v = b + d;
    }
}

/// The firmware cases, in the demo's order.
fn cases() -> impl Iterator<Item = &'static Case> {
    CASES.iter().filter(|c| c.set == "firmware")
}

/// One library's firmware tick.
// One per library per run: the size does not matter, an indirection in the
// timed loop would.
#[allow(clippy::large_enum_variant)]
pub enum Tick {
    /// exp-rs: one `Batch` over the shared parameters.
    ExpRs {
        batch: exp_rs::Batch<'static, f64>,
        base: Vec<f64>,
        vals: Vec<f64>,
    },
    /// Any other library: its 7 compiled expressions, each with its own
    /// inputs.
    Each(Vec<(Compiled, Vec<f64>, &'static [f64])>),
}

impl Tick {
    /// `lib`'s tick, built as its users would build it.
    pub fn new(lib: Lib) -> Tick {
        if lib != Lib::ExpRs {
            let exprs = cases()
                .map(|c| (compile(lib, c).unwrap(), c.at.to_vec(), c.at))
                .collect();
            return Tick::Each(exprs);
        }
        let ctx = Box::leak(Box::new(exp_rs::Context::new()));
        let arena = Box::leak(Box::new(exp_rs::bumpalo::Bump::new()));
        let mut batch = exp_rs::Batch::new(ctx, arena);
        for case in cases() {
            batch.add_expression(case.src).unwrap();
        }
        // Each parameter's sample value, by name.
        let base: Vec<f64> = batch
            .param_names()
            .iter()
            .map(|n| {
                cases()
                    .find_map(|c| c.vars.iter().position(|v| v == n).map(|i| c.at[i]))
                    .unwrap()
            })
            .collect();
        let vals = base.clone();
        Tick::ExpRs { batch, base, vals }
    }

    /// Runs tick `k` (its inputs nudged by `k`) and returns the last
    /// expression's value.
    #[inline]
    pub fn run(&mut self, k: usize) -> f64 {
        use std::hint::black_box;
        match self {
            Tick::ExpRs { batch, base, vals } => {
                nudge(vals, base, k);
                batch.set_params(black_box(vals));
                batch.eval().unwrap();
                batch.results().last().copied().unwrap_or(f64::NAN)
            }
            Tick::Each(exprs) => {
                let mut last = 0.0;
                for (e, vals, at) in exprs.iter_mut() {
                    nudge(vals, at, k);
                    last = e.eval(black_box(vals));
                }
                last
            }
        }
    }
}
