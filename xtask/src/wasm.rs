//! The JavaScript door: `cargo xtask wasm` builds the npm package `exp-rs`
//! into `wasm/pkg/`, and the `node` job runs its tests.
//!
//! Steps: `cargo build` for wasm32 → the wasm-bindgen CLI (`--target web`,
//! the same version as the pinned crate) → `wasm-opt` from npm's `binaryen`
//! → `package.json`, entry files, README and LICENSE from `wasm/npm/` →
//! sizes → `npm pack`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cmd::{Cmd, cargo};
use crate::ensure::{ensure_cargo_install, ensure_npm, ensure_rustup_target};
use crate::jobs::Ctx;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// binaryen on npm (its `wasm-opt` runs on node, offline). Debian's
/// binaryen is too old: its output breaks wasm-bindgen's externref table.
const BINARYEN_VERSION: &str = "132.0.0";

/// esbuild on npm: bundles the CommonJS entry `node.cjs` (and is one of the
/// bundlers the `bundlers` job tests, at the same version).
pub const ESBUILD_VERSION: &str = "0.28.2";

/// `wasm-opt` flags. `-Oz` measured smallest with no slower evaluation
/// than `-O3` (see wasm/README.md, "Size").
const WASM_OPT_FLAGS: &[&str] = &["-Oz"];

/// Set once the package was built in this run, so `node` after `wasm`
/// does not build it twice.
static BUILT: AtomicBool = AtomicBool::new(false);

/// `wasm` job and `cargo xtask wasm`: lints the crate for wasm32, builds
/// the npm package into `wasm/pkg/` and checks that `npm pack` accepts it.
pub fn wasm(ctx: &Ctx) -> Result<(), String> {
    // The wasm32-only code (the counting allocator) is linted here; the
    // workspace clippy job covers the host build.
    ensure_rustup_target(WASM_TARGET)?;
    cargo()
        .args(["clippy", "-p", "exp-rs-wasm", "--target", WASM_TARGET])
        .args(["--", "-D", "warnings"])
        .run()?;
    build_package(&ctx.root)?;
    let tarball = pack(&ctx.root)?;
    println!("npm package: {}", tarball.display());
    Ok(())
}

/// `node` job: unpacks what `npm pack` made of `wasm/pkg/` (built first if
/// this run has not built it yet) and installs it as `exp-rs` for
/// `wasm/tests/`, so the tests see exactly the published files; then
/// type-checks `wasm/tests/types.ts` against its `.d.ts` with the pinned
/// TypeScript, and runs `node --test` over `wasm/tests/*.test.mjs` with
/// core's error-kind table in `EXP_RS_CORE_ERROR_KINDS`, once per tier
/// (`EXP_RS_TEST_TIER`: generated code, then the interpreter).
pub fn node(ctx: &Ctx) -> Result<(), String> {
    let (_, unpacked) = packed(ctx)?;
    let tests = ctx.root.join("wasm").join("tests");
    // npm prunes packages it does not know, so link after installing.
    ensure_npm(&tests)?;
    link_package(&unpacked, &tests)?;
    let tsc = tests
        .join("node_modules")
        .join("typescript")
        .join("bin")
        .join("tsc");
    Cmd::new("node").arg(tsc).arg("-p").arg(&tests).run()?;
    let mut files: Vec<PathBuf> = read_dir(&tests)?
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs files in {}", tests.display()));
    }
    // node exits non-zero when any test fails (or none ran to completion).
    // `kinds.test.mjs` compares the package's error kinds with core's.
    // `bits.test.mjs` compares the math sample's hashes with the host's.
    let sample = crate::bits::read(&ctx.root)?;
    let hashes: Vec<String> = crate::bits::host_hashes(&sample)?
        .iter()
        .map(|h| format!("\"{h:016x}\""))
        .collect();
    // Every file runs once per tier: the tests import the package through
    // `tiered.mjs`, whose `compile` defaults to `EXP_RS_TEST_TIER`.
    for tier in ["codegen", "interpreter"] {
        println!("node tests on the {tier} tier");
        Cmd::new("node")
            .env("EXP_RS_CORE_ERROR_KINDS", crate::generate::kinds_json())
            .env("EXP_RS_HOST_BITS", format!("[{}]", hashes.join(",")))
            .env("EXP_RS_TEST_TIER", tier)
            .arg("--test")
            .args(&files)
            .run()?;
    }
    Ok(())
}

/// The package as published: builds `wasm/pkg/` unless this run did,
/// `npm pack`s it and unpacks the tarball into `target/npm-pack/package`.
/// Returns the tarball and the unpacked directory.
pub fn packed(ctx: &Ctx) -> Result<(PathBuf, PathBuf), String> {
    if !BUILT.load(Ordering::SeqCst) {
        build_package(&ctx.root)?;
    }
    let tarball = pack(&ctx.root)?;
    let unpacked = ctx.root.join("target").join("npm-pack").join("package");
    remove_dir(&unpacked)?;
    Cmd::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(ctx.root.join("target").join("npm-pack"))
        .run()?;
    Ok((tarball, unpacked))
}

/// `npm pack` of `wasm/pkg/` into `target/npm-pack/`; returns the tarball.
fn pack(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("target").join("npm-pack");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Cmd::new("npm")
        .args(["pack", "--pack-destination"])
        .arg(&dir)
        .dir(root.join("wasm").join("pkg"))
        .run()?;
    let tarball = dir.join(format!("exp-rs-{}.tgz", workspace_version(root)?));
    if tarball.exists() {
        Ok(tarball)
    } else {
        Err(format!("npm pack did not write {}", tarball.display()))
    }
}

/// Builds `wasm/pkg/` from scratch.
fn build_package(root: &Path) -> Result<(), String> {
    ensure_rustup_target(WASM_TARGET)?;
    cargo()
        .args([
            "build",
            "--release",
            "--target",
            WASM_TARGET,
            "-p",
            "exp-rs-wasm",
        ])
        .run()?;
    let version = locked_version(root, "wasm-bindgen")?;
    ensure_cargo_install("wasm-bindgen-cli", &version, "wasm-bindgen")?;

    let target = root.join("target");
    let raw = target
        .join(WASM_TARGET)
        .join("release")
        .join("exp_rs_wasm.wasm");
    let bindgen = target.join("wasm-bindgen");
    remove_dir(&bindgen)?;
    Cmd::new("wasm-bindgen")
        .args(["--target", "web", "--out-name", "exp_rs", "--out-dir"])
        .arg(&bindgen)
        .arg(&raw)
        .run()?;

    let bg = bindgen.join("exp_rs_bg.wasm");
    let before = size(&bg)?;
    let wasm_opt = ensure_wasm_opt(&target)?;
    let opt = bindgen.join("exp_rs_bg.opt.wasm");
    Cmd::new("node")
        .arg(&wasm_opt)
        .args(WASM_OPT_FLAGS)
        .arg(&bg)
        .arg("-o")
        .arg(&opt)
        .run()?;
    fs::rename(&opt, &bg).map_err(|e| format!("{}: {e}", opt.display()))?;

    let pkg = root.join("wasm").join("pkg");
    assemble(root, &bindgen, &pkg)?;

    let wasm = pkg.join("exp_rs_bg.wasm");
    let raw_size = size(&wasm)?;
    let gz = gzip_size(&wasm)?;
    println!(
        "exp_rs_bg.wasm: {raw_size} bytes, {gz} bytes gzipped (wasm-opt {}; {before} bytes before)",
        WASM_OPT_FLAGS.join(" ")
    );
    BUILT.store(true, Ordering::SeqCst);
    Ok(())
}

/// Copies wasm-bindgen's output and `wasm/npm/` into an empty `pkg`,
/// pointing the entry files at the error class's snippet module.
fn assemble(root: &Path, bindgen: &Path, pkg: &Path) -> Result<(), String> {
    remove_dir(pkg)?;
    copy_tree(bindgen, pkg)?;
    let npm = root.join("wasm").join("npm");
    // package.json, with the workspace's version.
    let version = workspace_version(root)?;
    let template = npm.join("package.json");
    let json = fs::read_to_string(&template).map_err(|e| format!("{}: {e}", template.display()))?;
    let json: String = json
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("\"version\":") {
                format!("  \"version\": \"{version}\",\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let to = pkg.join("package.json");
    fs::write(&to, json).map_err(|e| format!("{}: {e}", to.display()))?;
    for name in ["README.md", "LICENSE"] {
        let from = if name == "README.md" {
            root.join("wasm").join(name)
        } else {
            npm.join(name)
        };
        fs::copy(&from, pkg.join(name)).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    // wasm-bindgen puts `js/glue.js` under a hashed directory; the entry
    // files (and the tier layer, `tier.js`) re-export `ExpRsError` from that very module, so `instanceof`
    // works on what the module throws.
    let error_js = find_file(&pkg.join("snippets"), "glue.js")?;
    let rel = error_js
        .strip_prefix(pkg)
        .map_err(|e| e.to_string())?
        .to_string_lossy()
        .replace('\\', "/");
    for entry in ["node.js", "web.js", "node-cjs.js", "tier.js"] {
        let from = npm.join(entry);
        let text = read(&from)?.replace("@ERROR_JS@", &format!("./{rel}"));
        write(&pkg.join(entry), &text)?;
    }
    patch_glue(pkg)?;
    patch_types(&npm, pkg)?;
    // The browser entry's copy of the module, gzipped into JavaScript.
    Cmd::new("node")
        .arg(npm.join("inline.mjs"))
        .arg(pkg.join("exp_rs_bg.wasm"))
        .arg(pkg.join("exp_rs_inline.js"))
        .run()?;
    // The CommonJS entry: the glue, its snippets and `node-cjs.js` bundled
    // into one file that Node 20.0–20.18 can `require()`.
    let esbuild = ensure_npm_tool(
        root,
        "esbuild",
        ESBUILD_VERSION,
        &["node_modules", ".bin", "esbuild"],
    )?;
    Cmd::new(esbuild)
        .arg(pkg.join("node-cjs.js"))
        .args([
            "--bundle",
            "--format=cjs",
            "--platform=node",
            "--target=node20",
            "--log-level=warning",
        ])
        .arg(format!("--outfile={}", pkg.join("node.cjs").display()))
        .run()?;
    fs::remove_file(pkg.join("node-cjs.js")).map_err(|e| format!("node-cjs.js: {e}"))?;
    Ok(())
}

/// wasm-bindgen's loader falls back to `new URL('exp_rs_bg.wasm',
/// import.meta.url)` when given no module. The package's entries always
/// pass one, and webpack, Rollup and Vite would copy the `.wasm` into every
/// browser bundle just for seeing that expression: replace it with an error.
fn patch_glue(pkg: &Path) -> Result<(), String> {
    let path = pkg.join("exp_rs.js");
    let glue = read(&path)?;
    let fallback = "module_or_path = new URL('exp_rs_bg.wasm', import.meta.url);";
    if !glue.contains(fallback) {
        return Err(format!(
            "{}: wasm-bindgen's default module URL (`{fallback}`) not found; \
             update patch_glue for this wasm-bindgen version",
            path.display()
        ));
    }
    let patched = glue.replace(
        fallback,
        "throw new Error('exp-rs: init() was given no module');",
    );
    write(&path, &patched)
}

/// Replaces wasm-bindgen's loader types (which need the DOM library and
/// describe the raw exports) with `wasm/npm/init.d.ts`, and writes the
/// same declarations as `node.d.cts` for `require`. Drops the raw exports'
/// `exp_rs_bg.wasm.d.ts`.
fn patch_types(npm: &Path, pkg: &Path) -> Result<(), String> {
    let path = pkg.join("exp_rs.d.ts");
    let types = read(&path)?;
    let cut = types.find("export type InitInput").ok_or_else(|| {
        format!(
            "{}: no `export type InitInput` (wasm-bindgen's loader types) to replace",
            path.display()
        )
    })?;
    let text = format!(
        "{}{}",
        types[..cut].trim_end(),
        read(&npm.join("init.d.ts"))?
    );
    write(&path, &text)?;
    write(&pkg.join("node.d.cts"), &text)?;
    let raw = pkg.join("exp_rs_bg.wasm.d.ts");
    fs::remove_file(&raw).map_err(|e| format!("{}: {e}", raw.display()))
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Installs npm's binaryen into `target/tools/binaryen` (not globally) and
/// returns the path of its `wasm-opt` script.
fn ensure_wasm_opt(target: &Path) -> Result<PathBuf, String> {
    let root = target.parent().unwrap_or(target);
    ensure_npm_tool(
        root,
        "binaryen",
        BINARYEN_VERSION,
        &["node_modules", "binaryen", "bin", "wasm-opt"],
    )
}

/// Installs the npm package `name` at exactly `version` into
/// `target/tools/<name>` (not globally; skipped when already there) and
/// returns the path `bin` (components under that directory).
pub fn ensure_npm_tool(
    root: &Path,
    name: &str,
    version: &str,
    bin: &[&str],
) -> Result<PathBuf, String> {
    let dir = root.join("target").join("tools").join(name);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest = format!(
        "{{\n  \"private\": true,\n  \"dependencies\": {{ \"{name}\": \"{version}\" }}\n}}\n"
    );
    let path = dir.join("package.json");
    // Rewritten only when it changes, so `ensure_npm` sees it as fresh.
    if fs::read_to_string(&path).ok().as_deref() != Some(manifest.as_str()) {
        fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    ensure_npm(&dir)?;
    let script = bin.iter().fold(dir, |p, c| p.join(c));
    if script.exists() {
        Ok(script)
    } else {
        Err(format!("{} is missing after npm install", script.display()))
    }
}

/// Makes `import 'exp-rs'` in `dir` resolve to the package at `pkg`
/// (through its `exports` map), as it would after `npm install exp-rs`.
pub fn link_package(pkg: &Path, dir: &Path) -> Result<(), String> {
    let modules = dir.join("node_modules");
    fs::create_dir_all(&modules).map_err(|e| format!("{}: {e}", modules.display()))?;
    let link = modules.join("exp-rs");
    if fs::read_link(&link).ok().as_deref() == Some(pkg) {
        return Ok(());
    }
    let _ = fs::remove_file(&link);
    let _ = fs::remove_dir_all(&link);
    #[cfg(unix)]
    let linked = std::os::unix::fs::symlink(pkg, &link);
    #[cfg(not(unix))]
    let linked = copy_tree(pkg, &link).map_err(io::Error::other);
    linked.map_err(|e| format!("cannot link {} to {}: {e}", link.display(), pkg.display()))
}

/// The version of `krate` in `Cargo.lock` (the pinned wasm-bindgen, which
/// the CLI must match exactly).
fn locked_version(root: &Path, krate: &str) -> Result<String, String> {
    let lock =
        fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let header = format!("name = \"{krate}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == header
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
        {
            return Ok(v.to_owned());
        }
    }
    Err(format!("{krate} is not in Cargo.lock"))
}

/// `version` of `[workspace.package]` in the root `Cargo.toml`.
pub fn workspace_version(root: &Path) -> Result<String, String> {
    let toml =
        fs::read_to_string(root.join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    toml.split("[workspace.package]")
        .nth(1)
        .and_then(|section| {
            section
                .lines()
                .take_while(|l| !l.starts_with('['))
                .find_map(|l| l.trim().strip_prefix("version = \""))
        })
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| "no version in [workspace.package] of Cargo.toml".to_owned())
}

/// The gzip size of `path` at level 9, computed by node's zlib (no extra
/// tool needed: node is required anyway).
fn gzip_size(path: &Path) -> Result<u64, String> {
    let script = "const z=require('zlib'),f=require('fs');\
                  process.stdout.write(String(z.gzipSync(f.readFileSync(process.argv[1]),{level:9}).length))";
    let out = Cmd::new("node").args(["-e", script]).arg(path).read()?;
    out.trim()
        .parse()
        .map_err(|e| format!("gzip size of {}: {e} ({out})", path.display()))
}

fn size(path: &Path) -> Result<u64, String> {
    fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn remove_dir(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

pub fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    fs::read_dir(dir)
        .and_then(|entries| entries.map(|e| e.map(|e| e.path())).collect())
        .map_err(|e| format!("{}: {e}", dir.display()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for path in read_dir(from)? {
        let dest = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The one file called `name` under `dir`.
fn find_file(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for path in read_dir(&d)? {
            if path.is_dir() {
                todo.push(path);
            } else if path.file_name().is_some_and(|n| n == name) {
                found.push(path);
            }
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one {name} under {}, found {}",
            dir.display(),
            found.len()
        )),
    }
}
