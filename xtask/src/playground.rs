//! The browser playground (`playground/`): `cargo xtask playground` builds
//! the npm package if it is missing or older than its sources and serves
//! the page at http://127.0.0.1:8080; the `browser` job runs the page's
//! tests in headless Chromium.
//!
//! The page imports `pkg/web.js`; `playground/serve.mjs` maps `/pkg/` to
//! `wasm/pkg/`, so nothing built is copied or committed.

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use crate::cmd::Cmd;
use crate::ensure::{ensure_apt, ensure_npm};
use crate::jobs::{Ctx, JOBS};

/// Debian packages of the browser tests: the browser playwright-core
/// drives (never a downloaded one), its driver, and a font so text renders
/// the same everywhere.
const BROWSER_APT: &[&str] = &["chromium", "chromium-driver", "fonts-dejavu-core"];

/// What the npm package is built from: newer than the package means rebuild.
const PACKAGE_SOURCES: &[&str] = &[
    "core/src",
    "core/Cargo.toml",
    "wasm/src",
    "wasm/js",
    "wasm/npm",
    "wasm/Cargo.toml",
    "Cargo.lock",
];

/// `cargo xtask playground [--port N]`: builds what is missing, then serves
/// the playground until Ctrl-C.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => "8080".to_owned(),
        [flag, port] if flag == "--port" && port.parse::<u16>().is_ok() => port.clone(),
        _ => return Err("usage: cargo xtask playground [--port N]".to_owned()),
    };
    ensure_package(ctx)?;
    // serve.mjs prints the URL once it listens.
    Cmd::new("node")
        .arg(ctx.root.join("playground").join("serve.mjs"))
        .args(["--host", "127.0.0.1", "--port", &port])
        .run()
}

/// `browser` job: the playground's tests in headless Chromium (installed
/// from Debian if missing), driven by npm's `playwright-core`. Leaves a
/// screenshot in `target/playground-screenshot.png`.
pub fn browser(ctx: &Ctx) -> Result<(), String> {
    ensure_apt(BROWSER_APT)?;
    ensure_package(ctx)?;
    let tests = ctx.root.join("playground").join("tests");
    ensure_npm(&tests)?;
    let mut files: Vec<_> = fs::read_dir(&tests)
        .map_err(|e| format!("cannot list {}: {e}", tests.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs files in {}", tests.display()));
    }
    Cmd::new("node").arg("--test").args(&files).run()?;
    println!("screenshot: target/playground-screenshot.png");
    Ok(())
}

/// Runs the `wasm` job unless `wasm/pkg/` is there and newer than every
/// file it is built from.
fn ensure_package(ctx: &Ctx) -> Result<(), String> {
    let pkg = ctx.root.join("wasm").join("pkg");
    let built = [pkg.join("web.js"), pkg.join("exp_rs_bg.wasm")].map(|p| mtime(&p));
    let newest = PACKAGE_SOURCES
        .iter()
        .filter_map(|p| newest_mtime(&ctx.root.join(p)))
        .max();
    let fresh = match built {
        [Some(a), Some(b)] => newest.is_none_or(|n| n <= a.min(b)),
        _ => false,
    };
    if fresh {
        println!("[ensure] npm package in wasm/pkg: present and up to date");
        return Ok(());
    }
    let wasm = JOBS
        .iter()
        .find(|j| j.name == "wasm")
        .ok_or("no `wasm` job")?;
    (wasm.run)(ctx)
}

/// The modification time of `path`, or `None` if it does not exist.
fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of `path` and everything below it.
fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let own = mtime(path);
    let Ok(entries) = fs::read_dir(path) else {
        return own;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| newest_mtime(&e.path()))
        .chain(own)
        .max()
}
