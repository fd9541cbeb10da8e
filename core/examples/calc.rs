//! `cargo run -p exp-rs --example calc -- "x^2 + 1" x=3`
//!
//! Compiles an expression, prints its tree and program, evaluates it.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use exp_rs::{Context, Expr, bumpalo::Bump};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(src) = args.next() else {
        eprintln!("usage: calc EXPRESSION [name=value ...]");
        return ExitCode::from(2);
    };
    let mut names = Vec::new();
    let mut values = Vec::new();
    for arg in args {
        let parsed = arg
            .split_once('=')
            .and_then(|(k, v)| Some((k.to_string(), v.parse::<f64>().ok()?)));
        let Some((name, value)) = parsed else {
            eprintln!("calc: `{arg}` is not name=number");
            return ExitCode::from(2);
        };
        names.push(name);
        values.push(value);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let ctx = Context::<f64>::new();
    let arena = Bump::new();
    let result = Expr::compile(&src, &names, &ctx, &arena).and_then(|e| {
        println!("tree:    {}", e.ast().sexpr());
        println!("program:\n{}", e.program());
        println!("arena:   {} bytes", e.arena_bytes());
        e.eval(&values)
    });
    match result {
        Ok(v) => {
            println!("result:  {v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}\n{}", e.kind, e.render(&src));
            ExitCode::FAILURE
        }
    }
}
