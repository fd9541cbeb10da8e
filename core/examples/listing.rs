//! Prints the disassembly of each argument (a throwaway for writing golden tests).
#![allow(missing_docs, clippy::print_stdout, clippy::unwrap_used)]
fn main() {
    let mut ctx = exp_rs::Context::<f64>::new();
    ctx.add_array("lut", &[0.0, 10.0, 20.0]);
    ctx.add_object("cal", &[("gain", 2.0)]);
    ctx.add_function("twice", exp_rs::Arity::Exact(1), |a| 2.0 * a[0]);
    ctx.add_expression_function("sq(v) = v * v").unwrap();
    ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    for src in std::env::args().skip(1) {
        let arena = bumpalo::Bump::new();
        match exp_rs::Expr::compile(&src, &["x", "y"], &ctx, &arena) {
            Ok(e) => println!("== {src}\n{}\n", e.program()),
            Err(e) => println!("== {src}\n{e:?}\n"),
        }
    }
}
