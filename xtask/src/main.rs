//! `cargo xtask`: the one list of checks that the README and CI (`.ci/run`)
//! call. `cargo xtask test` runs every job in order, installs what a fresh
//! machine lacks, stops at the first failure and ends with a summary whose
//! last line is `xtask: N passed, M failed`. Only `std` and core (for the
//! error-kind table `cargo xtask gen` writes and the math functions the
//! accuracy job measures), so it builds fast.

// A command-line tool: printing to stdout is its job.
#![allow(clippy::print_stdout)]

mod accuracy;
mod bench;
mod bench_math;
mod bits;
mod cmd;
mod ensure;
mod ffi_install;
mod firmware;
mod fuzz;
mod generate;
mod install;
mod jobs;
mod playground;
mod size;
mod wasm;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use jobs::{Ctx, JOBS, Job};

/// Exit code for a bad command line.
const USAGE_ERROR: u8 = 2;

/// Parses the command line and dispatches.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("help" | "-h" | "--help") => {
            print_help();
            ExitCode::SUCCESS
        }
        Some("test") => match select_jobs(&args[1..]) {
            Ok(selected) => run_test(&selected),
            Err(e) => usage_error(&e),
        },
        Some("gen") if args.len() == 1 => command("gen", generate::run),
        Some("accuracy") if args.len() == 1 => command("accuracy", accuracy::full),
        Some("header") if args.len() == 1 => command("header", jobs::header),
        Some("fuzz") => command("fuzz", |ctx| {
            fuzz::run(ctx, args.get(1).map(String::as_str))
        }),
        Some("bench") => command("bench", |ctx| {
            bench::run(ctx, args.get(1).map(String::as_str))
        }),
        Some("wasm") if args.len() == 1 => match JOBS.iter().find(|j| j.name == "wasm") {
            Some(job) => run_test(&[job]),
            None => usage_error("no `wasm` job"),
        },
        Some("firmware") if args.len() == 1 => match JOBS.iter().find(|j| j.name == "firmware") {
            Some(job) => run_test(&[job]),
            None => usage_error("no `firmware` job"),
        },
        Some("size") if args.len() == 1 => command("size", size::run),
        Some("playground") => {
            let ctx = match enter_workspace() {
                Ok(ctx) => ctx,
                Err(e) => return e,
            };
            match playground::run(&ctx, &args[1..]) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("xtask playground: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(other) => usage_error(&format!("unknown command `{other}`")),
    }
}

/// Prints `msg` and a pointer to the help; returns the usage exit code.
fn usage_error(msg: &str) -> ExitCode {
    eprintln!("xtask: {msg}\nRun `cargo xtask help` for usage.");
    ExitCode::from(USAGE_ERROR)
}

/// Prints usage and the job list.
fn print_help() {
    println!(
        "Usage: cargo xtask <command>\n\
         \n\
         Commands:\n  \
         test [--only JOB[,JOB..]] [--skip JOB[,JOB..]]\n      \
         Run the jobs below in order; stop at the first failure.\n  \
         gen\n      \
         Rewrite the error-kind copies in ffi-c and wasm from core's `ErrorKind::ALL`.\n  \
         header\n      \
         Rewrite ffi-c/include/exp_rs.h with the pinned cbindgen (the `ffi-header` job, blessed).\n  \
         fuzz [SECONDS]\n      \
         Fuzz the three targets side by side for SECONDS (default 60), then Miri on core's tests.\n  \
         accuracy\n      \
         Every math function against mpmath (200 bits) on 20,000 inputs per precision; writes docs/ACCURACY.md.\n  \
         bench [SECONDS | report | js]\n      \
         Run the side-by-side benchmarks, write BENCHMARKS.md (`report`: rewrite it only;\n      \
         `js`: run only the JS benchmark and replace BENCHMARKS.md's JS section).\n  \
         wasm\n      \
         Build the npm package into wasm/pkg/ (the `wasm` job alone).\n  \
         firmware\n      \
         Build the firmware demo, run it in QEMU, count instructions, report sizes (the `firmware` job alone).\n  \
         size\n      \
         Measure the size budgets (the `size` job) and rewrite the READMEs' Size tables.\n  \
         playground [--port N]\n      \
         Build what is missing and serve the playground at http://127.0.0.1:8080 (the README's first command).\n  \
         help\n      \
         Show this help.\n\
         \n\
         Jobs:"
    );
    let width = JOBS.iter().map(|j| j.name.len()).max().unwrap_or(0);
    for job in JOBS {
        println!("  {:width$}  {}", job.name, job.about);
    }
}

/// Applies `--only` / `--skip` (repeatable, comma-separated, `--opt=value`
/// accepted) to [`JOBS`], keeping the list's order.
fn select_jobs(args: &[String]) -> Result<Vec<&'static Job>, String> {
    let mut only: Vec<String> = Vec::new();
    let mut skip: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        let list = match flag {
            "--only" => &mut only,
            "--skip" => &mut skip,
            _ => return Err(format!("unknown argument `{arg}`")),
        };
        let value = inline
            .or_else(|| it.next().cloned())
            .ok_or_else(|| format!("`{flag}` needs a job name"))?;
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if !JOBS.iter().any(|j| j.name == name) {
                let known: Vec<&str> = JOBS.iter().map(|j| j.name).collect();
                return Err(format!("unknown job `{name}` (jobs: {})", known.join(", ")));
            }
            list.push(name.to_owned());
        }
    }
    let selected: Vec<&Job> = JOBS
        .iter()
        .filter(|j| only.is_empty() || only.iter().any(|n| n == j.name))
        .filter(|j| !skip.iter().any(|n| n == j.name))
        .collect();
    if selected.is_empty() {
        return Err("no jobs selected".to_owned());
    }
    Ok(selected)
}

/// How a selected job ended.
enum Outcome {
    /// Succeeded after this long.
    Passed(Duration),
    /// Failed after this long.
    Failed(Duration),
    /// Not started because an earlier job failed.
    NotRun,
}

/// Runs a command that is not a job list (`bench`, `fuzz`) from the
/// workspace root; its error is printed under the command's name.
fn command(name: &str, run: impl FnOnce(&Ctx) -> Result<(), String>) -> ExitCode {
    let ctx = match enter_workspace() {
        Ok(ctx) => ctx,
        Err(e) => return e,
    };
    match run(&ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {name}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Makes the workspace root the working directory and returns the context
/// jobs run in. xtask lives at `<root>/xtask`, whichever directory cargo
/// was run from.
fn enter_workspace() -> Result<Ctx, ExitCode> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ctx = Ctx {
        root: manifest_dir.parent().unwrap_or(manifest_dir).to_owned(),
    };
    if let Err(e) = std::env::set_current_dir(&ctx.root) {
        eprintln!("xtask: cannot enter {}: {e}", ctx.root.display());
        return Err(ExitCode::FAILURE);
    }
    Ok(ctx)
}

/// Runs `selected` in order from the workspace root, stopping at the first
/// failure, then prints the summary. Fails if any job failed.
fn run_test(selected: &[&Job]) -> ExitCode {
    let ctx = match enter_workspace() {
        Ok(ctx) => ctx,
        Err(e) => return e,
    };

    let start = Instant::now();
    let mut outcomes = Vec::with_capacity(selected.len());
    let mut failed = false;
    for job in selected {
        if failed {
            outcomes.push(Outcome::NotRun);
            continue;
        }
        println!("\n==> {}", job.name);
        let t = Instant::now();
        let result = (job.run)(&ctx);
        let took = t.elapsed();
        match result {
            Ok(()) => {
                println!("==> {}: ok in {:.1}s", job.name, took.as_secs_f64());
                outcomes.push(Outcome::Passed(took));
            }
            Err(e) => {
                eprintln!("error: {e}");
                println!("==> {}: FAILED in {:.1}s", job.name, took.as_secs_f64());
                outcomes.push(Outcome::Failed(took));
                failed = true;
            }
        }
    }
    print_summary(selected, &outcomes, start.elapsed());
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints the table of jobs and the final `xtask: N passed, M failed` line,
/// which CI parses.
fn print_summary(jobs: &[&Job], outcomes: &[Outcome], total: Duration) {
    let width = jobs.iter().map(|j| j.name.len()).max().unwrap_or(0).max(5);
    println!("\n==> summary");
    println!("{:width$}  {:7}  {:>8}", "job", "result", "seconds");
    let (mut passed, mut failed) = (0, 0);
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let (result, secs) = match outcome {
            Outcome::Passed(d) => {
                passed += 1;
                ("ok", format!("{:.1}", d.as_secs_f64()))
            }
            Outcome::Failed(d) => {
                failed += 1;
                ("FAILED", format!("{:.1}", d.as_secs_f64()))
            }
            Outcome::NotRun => ("not run", "-".to_owned()),
        };
        println!("{:width$}  {result:7}  {secs:>8}", job.name);
    }
    println!("{:width$}  {:7}  {:>8.1}", "total", "", total.as_secs_f64());
    println!("xtask: {passed} passed, {failed} failed");
}
