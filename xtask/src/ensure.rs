//! Install-if-missing helpers. Each one checks first, cheaply and quietly, and
//! installs only what is missing, so a warm machine pays milliseconds and a
//! fresh one (Debian 12, root, rustup, Node, no standard input) gets set up.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use crate::cmd::{Cmd, cargo};

/// Prints one line saying a requirement is already met.
fn present(what: &str) {
    println!("[ensure] {what}: present");
}

/// Makes sure the toolchain running xtask has the rustup target `name`
/// (e.g. `thumbv7em-none-eabihf`), adding it only if it is missing.
pub fn ensure_rustup_target(name: &str) -> Result<(), String> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()?;
    if installed.lines().any(|l| l.trim() == name) {
        present(&format!("rustup target {name}"));
        return Ok(());
    }
    Cmd::new("rustup").args(["target", "add", name]).run()
}

/// Makes sure `toolchain` (`None`: the one running xtask) has the rustup
/// component `name` (e.g. `llvm-tools`, `rust-src`), adding it if missing.
/// Use canonical names: `llvm-tools`, not the `llvm-tools-preview` alias.
pub fn ensure_rustup_component(toolchain: Option<&str>, name: &str) -> Result<(), String> {
    let toolchain_args = toolchain.map(|t| ["--toolchain", t]);
    let installed = Cmd::new("rustup")
        .args(["component", "list", "--installed"])
        .args(toolchain_args.iter().flatten())
        .read()?;
    // Installed components are listed with the host triple appended
    // (`clippy-x86_64-unknown-linux-gnu`), except target-independent ones
    // (`rust-src`).
    let host = host_triple()?;
    let with_host = format!("{name}-{host}");
    if installed
        .lines()
        .any(|l| l.trim() == name || l.trim() == with_host)
    {
        let on = toolchain.map(|t| format!(" ({t})")).unwrap_or_default();
        present(&format!("rustup component {name}{on}"));
        return Ok(());
    }
    Cmd::new("rustup")
        .args(["component", "add", name])
        .args(toolchain_args.iter().flatten())
        .run()
}

/// The host target triple, from `rustc -vV`.
fn host_triple() -> Result<String, String> {
    let info = Cmd::new("rustc").arg("-vV").read()?;
    info.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_owned())
        .ok_or_else(|| format!("no `host:` line in `rustc -vV` output:\n{info}"))
}

/// Set once `apt-get update` has run in this process.
static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// Makes sure the Debian packages are installed. Asks dpkg about each one
/// (like `dpkg -s`, but only the "installed" state counts, not leftover
/// config files); if any is missing, runs `apt-get update` (once per xtask
/// run) and installs just the missing ones without recommends, which can
/// pull in gigabytes. Needs root, as on CI.
pub fn ensure_apt(packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !apt_installed(p))
        .collect();
    if missing.is_empty() {
        present(&format!("apt {}", packages.join(" ")));
        return Ok(());
    }
    let apt = |args: &[&str]| {
        Cmd::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(args)
    };
    let hint = |e: String| {
        format!(
            "{e}\n(missing Debian packages: {}; installing them needs root)",
            missing.join(" ")
        )
    };
    if !APT_UPDATED.swap(true, Ordering::SeqCst) {
        apt(&["update"]).run().map_err(hint)?;
    }
    apt(&["install", "-y", "--no-install-recommends"])
        .args(&missing)
        .run()
        .map_err(hint)
}

/// Whether dpkg reports `package` as installed.
fn apt_installed(package: &str) -> bool {
    Cmd::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Status}", package])
        .read()
        .is_ok_and(|status| status.trim() == "installed")
}

/// Makes sure `bin` from crate `krate` at exactly `version` (`MAJOR.MINOR.PATCH`)
/// is on `PATH`: skipped when `bin --version` already prints that version.
///
/// Installs without `--locked` (the registry mirror lacks some locked
/// versions) and as a debug build without debug info, which is several times
/// faster to compile on 2 cores (wasm-bindgen-cli: ~1.5 min instead of ~9)
/// and good enough for build tools; their output is identical.
pub fn ensure_cargo_install(krate: &str, version: &str, bin: &str) -> Result<(), String> {
    let has_version = || {
        Cmd::new(bin).arg("--version").read().is_ok_and(|out| {
            out.split_whitespace()
                .any(|w| w == version || w.strip_prefix('v') == Some(version))
        })
    };
    if has_version() {
        present(&format!("{bin} {version}"));
        return Ok(());
    }
    cargo()
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .args(["install", krate, "--version", version, "--debug"])
        .run()?;
    if has_version() {
        Ok(())
    } else {
        Err(format!(
            "installed {krate} {version}, but `{bin} --version` does not report \
             {version}: is another `{bin}` earlier on PATH?"
        ))
    }
}

/// Stamp written into `node_modules` after a successful install.
const NPM_STAMP: &str = ".xtask-npm-stamp";

/// Makes sure `dir/node_modules` matches `dir/package.json` (and
/// `package-lock.json` if present): runs `npm ci` (with a lock file) or
/// `npm install` (without) only when `node_modules` is missing or older than
/// either file, judged by a stamp file written after the last install.
pub fn ensure_npm(dir: &Path) -> Result<(), String> {
    let stamp = dir.join("node_modules").join(NPM_STAMP);
    let lock = dir.join("package-lock.json");
    let stamp_time = mtime(&stamp);
    let fresh = stamp_time.is_some()
        && [dir.join("package.json"), lock.clone()]
            .iter()
            .all(|f| mtime(f) <= stamp_time);
    if fresh {
        present(&format!("npm packages in {}", dir.display()));
        return Ok(());
    }
    let verb = if lock.exists() { "ci" } else { "install" };
    Cmd::new("npm")
        .args([verb, "--no-audit", "--no-fund"])
        .dir(dir)
        .run()?;
    // npm creates no `node_modules` for a package without dependencies.
    fs::create_dir_all(dir.join("node_modules"))
        .and_then(|()| fs::write(&stamp, "written by `cargo xtask` after npm succeeded\n"))
        .map_err(|e| format!("could not write {}: {e}", stamp.display()))
}

/// The modification time of `path`, or `None` if it does not exist.
fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Makes sure the Python module `module` imports; if not, installs
/// `requirement` (e.g. `mpmath==1.3.0`) with `pip install --user`.
pub fn ensure_pip(module: &str, requirement: &str) -> Result<(), String> {
    let importable = || {
        Cmd::new("python3")
            .args(["-c", &format!("import {module}")])
            .read()
            .is_ok()
    };
    if importable() {
        present(&format!("python module {module}"));
        return Ok(());
    }
    Cmd::new("python3")
        .args(["-m", "pip", "install", "--user", "-q", requirement])
        .run()?;
    if importable() {
        Ok(())
    } else {
        Err(format!(
            "installed {requirement}, but python3 cannot import {module}"
        ))
    }
}
