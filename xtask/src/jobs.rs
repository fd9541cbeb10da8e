//! The checks `cargo xtask test` runs, in order. To add a job, write a
//! `fn(&Ctx) -> Result<(), String>` and append a [`Job`] row to [`JOBS`].

use std::path::PathBuf;

use crate::cmd::cargo;
use crate::ensure::{ensure_rustup_component, ensure_rustup_target};

/// What every job may need to know about this run.
pub struct Ctx {
    /// The workspace root (also the working directory of every command).
    pub root: PathBuf,
}

/// One named check.
pub struct Job {
    /// Name used in headers, the summary, `--only` and `--skip`.
    pub name: &'static str,
    /// One line for `cargo xtask help`.
    pub about: &'static str,
    /// Runs the check: installs what it needs, then fails with a message.
    pub run: fn(&Ctx) -> Result<(), String>,
}

/// Every job, in the order `cargo xtask test` runs them.
pub const JOBS: &[Job] = &[
    Job {
        name: "fmt",
        about: "cargo fmt --check on the whole workspace",
        run: fmt,
    },
    Job {
        name: "clippy",
        about: "clippy -D warnings: workspace, all targets; exp-rs lib on thumbv7em",
        run: clippy,
    },
    Job {
        name: "test",
        about: "cargo test --workspace (f32 and f64)",
        run: test,
    },
    Job {
        name: "no_std",
        about: "release build of exp-rs for thumbv7em-none-eabihf (Cortex-M7)",
        run: no_std,
    },
    Job {
        name: "doc",
        about: "rustdoc of exp-rs with -D warnings",
        run: doc,
    },
];

/// The bare-metal target that proves exp-rs is `no_std` (STM32H7 class).
const THUMB: &str = "thumbv7em-none-eabihf";

/// Rustflags for [`THUMB`] only. Passed through the per-target variable, not
/// `RUSTFLAGS`, so the host build cache stays valid between jobs.
const THUMB_RUSTFLAGS: (&str, &str) = (
    "CARGO_TARGET_THUMBV7EM_NONE_EABIHF_RUSTFLAGS",
    // The double-precision FPU; without it f64 runs in software.
    "-C target-cpu=cortex-m7",
);

/// `fmt`: formatting of every workspace crate.
fn fmt(_: &Ctx) -> Result<(), String> {
    ensure_rustup_component(None, "rustfmt")?;
    cargo().args(["fmt", "--all", "--", "--check"]).run()
}

/// `clippy`: lints with warnings as errors, on the host for everything and
/// on the bare-metal target for the library (the `no_std` code paths).
fn clippy(_: &Ctx) -> Result<(), String> {
    ensure_rustup_component(None, "clippy")?;
    ensure_rustup_target(THUMB)?;
    cargo()
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .run()?;
    cargo()
        .env(THUMB_RUSTFLAGS.0, THUMB_RUSTFLAGS.1)
        .args(["clippy", "--target", THUMB, "-p", "exp-rs", "--lib"])
        .args(["--", "-D", "warnings"])
        .run()
}

/// `test`: every workspace test; core's tests are generic over f32 and f64.
fn test(_: &Ctx) -> Result<(), String> {
    cargo().args(["test", "--workspace"]).run()
}

/// `no_std`: exp-rs must build for a bare-metal Cortex-M7.
fn no_std(_: &Ctx) -> Result<(), String> {
    ensure_rustup_target(THUMB)?;
    if std::env::var_os("RUSTFLAGS").is_some() {
        println!(
            "warning: RUSTFLAGS is set and overrides {}",
            THUMB_RUSTFLAGS.0
        );
    }
    cargo()
        .env(THUMB_RUSTFLAGS.0, THUMB_RUSTFLAGS.1)
        .args(["build", "-p", "exp-rs", "--target", THUMB, "--release"])
        .run()
}

/// `doc`: the API docs build without warnings (broken links, missing docs).
fn doc(_: &Ctx) -> Result<(), String> {
    cargo()
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "-p", "exp-rs", "--no-deps"])
        .run()
}
