//! Fuzzing with cargo-fuzz (libFuzzer, nightly): `cargo xtask fuzz
//! [SECONDS]` for real runs, and the `fuzz-smoke` job of `cargo xtask test`,
//! which replays the committed corpus and fuzzes each target briefly.

use std::path::Path;

use crate::cmd::Cmd;
use crate::ensure::{ensure_cargo_install, ensure_rustup_component};
use crate::jobs::Ctx;

/// The targets in `fuzz/fuzz_targets/`.
const TARGETS: [&str; 4] = ["parse_eval", "structured", "c_api", "walk_vs_compiled"];

/// The cargo-fuzz release the project pins.
const CARGO_FUZZ: (&str, &str) = ("cargo-fuzz", "0.13.2");

/// Seconds per target in `cargo xtask test`.
const SMOKE_SECONDS: u32 = 10;

/// Installs nightly's pieces and cargo-fuzz when missing.
fn ensure_tools() -> Result<(), String> {
    ensure_nightly()?;
    ensure_cargo_install(CARGO_FUZZ.0, CARGO_FUZZ.1, "cargo-fuzz")
}

/// A nightly toolchain (the machines have one; a fresh one gets a minimal
/// profile).
fn ensure_nightly() -> Result<(), String> {
    let toolchains = Cmd::new("rustup").args(["toolchain", "list"]).read()?;
    if !toolchains.lines().any(|l| l.starts_with("nightly")) {
        Cmd::new("rustup")
            .args(["toolchain", "install", "nightly", "--profile", "minimal"])
            .run()?;
    }
    Ok(())
}

/// Runs every target for `seconds`, side by side (so `cargo xtask fuzz
/// 3600` takes an hour, not four), reading the committed corpus and writing
/// what it finds under `target/fuzz-corpus/` (so the work tree stays clean).
/// Each target's output goes to `target/fuzz-logs/<target>.log`; its final
/// statistics are printed, or on a crash the end of the log with
/// libFuzzer's report (the input is in `fuzz/artifacts/`).
fn run_all(root: &Path, seconds: u32) -> Result<(), String> {
    // One build first, so the runs don't queue on cargo's lock.
    Cmd::new("cargo")
        .args(["+nightly", "fuzz", "build", "-O"])
        .dir(root.join("fuzz"))
        .run()?;
    let logs = root.join("target/fuzz-logs");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let mut running = Vec::new();
    for target in TARGETS {
        let scratch = root.join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
        let log = logs.join(format!("{target}.log"));
        let child = Cmd::new("cargo")
            // ASan's stack depot keeps every distinct allocation stack; the
            // generated trees of `structured` make new ones forever, which
            // grew RSS past libFuzzer's 2 GB limit in a 10-minute run
            // (measured: 1 GB a minute in, 75 MB with these options).
            .env(
                "ASAN_OPTIONS",
                "malloc_context_size=5:quarantine_size_mb=64",
            )
            .args(["+nightly", "fuzz", "run", "-O", target])
            .arg(&scratch)
            .arg(root.join("fuzz/corpus").join(target))
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
            ])
            .dir(root.join("fuzz"))
            .spawn_logged(&log)?;
        running.push((target, log, child));
    }
    let mut failed = Vec::new();
    for (target, log, mut child) in running {
        let status = child.wait().map_err(|e| e.to_string())?;
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if status.success() {
            let secs = started.elapsed().as_secs();
            println!("fuzz {target}: {}", summary(&text, secs));
        } else {
            let lines: Vec<&str> = text.lines().collect();
            let tail = &lines[lines.len().saturating_sub(80)..];
            println!("fuzz {target} FAILED ({status}):\n{}", tail.join("\n"));
            failed.push(target);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing failed: {} (logs in {})",
            failed.join(", "),
            logs.display()
        ))
    }
}

/// The executions and coverage from libFuzzer's final statistics
/// (`-print_final_stats=1`) and its last status line, after `secs` of
/// running.
fn summary(log: &str, secs: u64) -> String {
    let stat = |name: &str| {
        log.lines()
            .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
            .map_or("?", str::trim)
            .to_owned()
    };
    let cov = log
        .lines()
        .rev()
        .find_map(|l| l.split_whitespace().skip_while(|w| *w != "cov:").nth(1))
        .unwrap_or("?");
    format!(
        "{} executions in {secs} s ({}/s), coverage {cov}, peak RSS {} MB, nothing found",
        stat("number_of_executed_units"),
        stat("average_exec_per_sec"),
        stat("peak_rss_mb"),
    )
}

/// `fuzz-smoke` job: each target for a few seconds after replaying its
/// committed corpus.
pub fn smoke(ctx: &Ctx) -> Result<(), String> {
    ensure_tools()?;
    run_all(&ctx.root, SMOKE_SECONDS)
}

/// `cargo xtask fuzz [SECONDS]`: each target for SECONDS (default 60), then
/// core's test suite under Miri (reduced sizes under `cfg(miri)`).
pub fn run(ctx: &Ctx, seconds: Option<&str>) -> Result<(), String> {
    let seconds = match seconds {
        Some(s) => s
            .parse()
            .map_err(|_| format!("`{s}` is not a number of seconds"))?,
        None => 60,
    };
    ensure_tools()?;
    run_all(&ctx.root, seconds)?;
    ensure_rustup_component(Some("nightly"), "miri")?;
    ensure_rustup_component(Some("nightly"), "rust-src")?;
    // libm's hardware `sqrt` is inline assembly, which Miri cannot run:
    // its software versions compute the same (correctly rounded) results.
    Cmd::new("cargo")
        .args([
            "+nightly",
            "miri",
            "test",
            "-p",
            "exp-rs",
            "--features",
            "libm/force-soft-floats",
        ])
        .dir(&ctx.root)
        .run()
}
