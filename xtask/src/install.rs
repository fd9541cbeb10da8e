//! Install paths, tried as a new user would (issue 15): the npm package's
//! TypeScript types and CommonJS door (`types`), and a tiny app built by each
//! bundler and loaded in Chromium (`bundlers`). The JavaScript side of both
//! lives in `wasm/install-tests/`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::Cmd;
use crate::ensure::{ensure_apt, ensure_npm};
use crate::jobs::Ctx;
use crate::wasm::{link_package, packed, read_dir};

/// Debian packages of the browser checks (as the `browser` job's).
const BROWSER_APT: &[&str] = &["chromium", "chromium-driver", "fonts-dejavu-core"];

/// Where wasm/README.md's bundle-size table goes.
const SIZES_BEGIN: &str =
    "<!-- BEGIN bundle sizes: written by `cargo xtask test --only bundlers` -->";
const SIZES_END: &str = "<!-- END bundle sizes -->";

/// `wasm/install-tests/`, with its npm packages installed and the packed
/// package linked in as `exp-rs`. Returns (tests dir, tarball, unpacked).
fn prepare(ctx: &Ctx) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    let (tarball, unpacked) = packed(ctx)?;
    let dir = ctx.root.join("wasm").join("install-tests");
    // npm prunes packages it does not know, so link after installing.
    ensure_npm(&dir)?;
    link_package(&unpacked, &dir)?;
    Ok((dir, tarball, unpacked))
}

/// `types` job: the package's `.d.ts` under `tsc --strict` with Node-only
/// settings (`lib: ["ES2022"]`, `types: ["node"]`, no `skipLibCheck`) and
/// with DOM settings, on code that passes interfaces and readonly tuples;
/// the `.d.ts` comments' examples, type-checked and run (each `// value`
/// comment checked); `require('exp-rs')` with Node's `require()` of ES
/// modules switched off, as on Node 20.0–20.18; and `import`/`require` in
/// Node, Bun and Deno.
pub fn types(ctx: &Ctx) -> Result<(), String> {
    let (dir, _, _) = prepare(ctx)?;
    Cmd::new("node").arg(dir.join("examples.mjs")).run()?;
    let tsc = dir
        .join("node_modules")
        .join("typescript")
        .join("bin")
        .join("tsc");
    let out = dir.join("out");
    let _ = fs::remove_dir_all(&out);
    for config in ["tsconfig.node.json", "tsconfig.dom.json"] {
        Cmd::new("node")
            .arg(&tsc)
            .arg("-p")
            .arg(dir.join(config))
            .run()?;
    }
    // What tsc emitted: the examples and the type tests, as modules and as
    // CommonJS (`require.cjs`).
    let mut programs = Vec::new();
    for sub in ["gen", "types"] {
        programs.extend(read_dir(&out.join(sub))?);
    }
    programs.sort();
    if programs.len() < 3 {
        return Err(format!(
            "tsc emitted only {} programs into {}",
            programs.len(),
            out.display()
        ));
    }
    for program in &programs {
        Cmd::new("node")
            .arg("--no-experimental-require-module")
            .arg(program)
            .dir(&dir)
            .run()?;
    }
    // The `require` condition must reach a CommonJS file: no ES module
    // syntax that Node 20.0–20.18 would refuse.
    let script = "const fs = require('fs');\
        const p = require.resolve('exp-rs');\
        const src = fs.readFileSync(p, 'utf8');\
        if (!p.endsWith('.cjs')) throw new Error(`require resolves to ${p}, not a .cjs file`);\
        if (/^\\s*(import|export)\\s/m.test(src) || src.includes('import.meta')) throw new Error(`${p} has ES module syntax`);\
        const m = require('exp-rs');\
        if (m.evaluate('2 * x', { x: 3 }) !== 6 || m.compile('x').eval([5]) !== 5) throw new Error('wrong results');\
        console.log(`require('exp-rs'): ${p}, CommonJS, works`);";
    Cmd::new("node")
        .args(["--no-experimental-require-module", "-e", script])
        .dir(&dir)
        .run()?;
    runtimes(&dir)
}

/// `import` and `require` of the package in Node (this machine's, and the
/// first and last Node 20 releases that cannot `require()` an ES module,
/// 20.0.0 and 20.18.0), Bun and Deno (all from npm, pinned in
/// `wasm/install-tests/package.json`).
fn runtimes(dir: &Path) -> Result<(), String> {
    let bin = dir.join("node_modules").join(".bin");
    let esm = "runtimes/esm.mjs";
    Cmd::new("node").arg(esm).dir(dir).run()?;
    Cmd::new("node")
        .args(["--no-experimental-require-module", "runtimes/cjs.cjs"])
        .dir(dir)
        .run()?;
    for old in ["node-20.0", "node-20.18"] {
        let node = dir.join("node_modules").join(old).join("bin").join("node");
        for script in [esm, "runtimes/cjs.cjs"] {
            Cmd::new(&node).arg(script).dir(dir).run()?;
        }
    }
    for script in [esm, "runtimes/cjs.cjs"] {
        Cmd::new(bin.join("bun")).arg(script).dir(dir).run()?;
    }
    for script in [esm, "runtimes/cjs-deno.mjs"] {
        Cmd::new(bin.join("deno"))
            .env("DENO_NO_UPDATE_CHECK", "1")
            .args(["run", "--no-prompt", "--no-lock", "--allow-read", script])
            .dir(dir)
            .run()?;
    }
    Ok(())
}

/// `bundlers` job: `wasm/install-tests/bundlers.mjs` builds a tiny app
/// from the packed tarball with esbuild, webpack 5, Rollup, Vite (build and
/// dev, tarball and linked installs) and none (`<script type="module">`),
/// checks each in headless Chromium, and the bundle sizes it measured go
/// into wasm/README.md.
pub fn bundlers(ctx: &Ctx) -> Result<(), String> {
    ensure_apt(BROWSER_APT)?;
    let (dir, tarball, unpacked) = prepare(ctx)?;
    let work = ctx.root.join("target").join("bundlers");
    let sizes = work.join("sizes.md");
    let _ = fs::remove_file(&sizes);
    Cmd::new("node")
        .arg(dir.join("bundlers.mjs"))
        .args([&tarball, &unpacked, &work, &sizes])
        .dir(&dir)
        .run()?;
    let table = fs::read_to_string(&sizes).map_err(|e| format!("{}: {e}", sizes.display()))?;
    splice(&ctx.root.join("wasm").join("README.md"), &table)
}

/// Replaces what is between the size markers of `readme` with `table`.
fn splice(readme: &Path, table: &str) -> Result<(), String> {
    let text = fs::read_to_string(readme).map_err(|e| format!("{}: {e}", readme.display()))?;
    let (Some(begin), Some(end)) = (text.find(SIZES_BEGIN), text.find(SIZES_END)) else {
        return Err(format!(
            "{} has no `{SIZES_BEGIN}` ... `{SIZES_END}` markers",
            readme.display()
        ));
    };
    let new = format!(
        "{}{SIZES_BEGIN}\n{}{}",
        &text[..begin],
        table.trim_end_matches('\n').to_owned() + "\n",
        &text[end..]
    );
    if new != text {
        fs::write(readme, new).map_err(|e| format!("{}: {e}", readme.display()))?;
        println!(
            "[bundlers] rewrote the bundle sizes in {}",
            readme.display()
        );
    }
    Ok(())
}

/// `readme-rust` job: every ```` ```rust ```` block of README.md, as a
/// program of a fresh crate (`target/readme-crate/`) whose one dependency is
/// `exp-rs` (a path dependency on `core/`), built and run. Like rustdoc,
/// `# ` lines are kept without the marker, and a block ending in
/// `Ok::<(), E>(())` becomes a function returning `Result<(), E>`. The
/// workspace's Cargo.lock is copied in, so no dependency is resolved anew
/// (offline-friendly).
pub fn readme_rust(ctx: &Ctx) -> Result<(), String> {
    let readme =
        fs::read_to_string(ctx.root.join("README.md")).map_err(|e| format!("README.md: {e}"))?;
    let blocks: Vec<&str> = readme
        .split("```rust\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(code, _)| code))
        .collect();
    if blocks.is_empty() {
        return Err("README.md has no ```rust blocks".into());
    }
    let krate = ctx.root.join("target").join("readme-crate");
    let src = krate.join("src");
    fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    let core = ctx.root.join("core");
    let manifest = format!(
        "[package]\nname = \"readme-examples\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nexp-rs = {{ path = {:?} }}\n\n\
         # Not part of the exp-rs workspace.\n[workspace]\n",
        core.display().to_string()
    );
    let mut main = String::from(
        "//! README.md's Rust examples, written by `cargo xtask test --only readme-rust`.\n\n",
    );
    for (i, block) in blocks.iter().enumerate() {
        main += &example_fn(i + 1, block);
    }
    main += "fn main() {\n";
    for i in 1..=blocks.len() {
        main += &format!("    example_{i}();\n    println!(\"README example {i}: ok\");\n");
    }
    main += "}\n";
    let write = |path: PathBuf, text: &str| {
        // Unchanged files keep their time stamps, so cargo rebuilds nothing.
        if fs::read_to_string(&path).ok().as_deref() != Some(text) {
            fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok::<(), String>(())
    };
    write(krate.join("Cargo.toml"), &manifest)?;
    write(src.join("main.rs"), &main)?;
    let lock =
        fs::read_to_string(ctx.root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    // The workspace's lock, refreshed whenever it changes (cargo drops the
    // entries this crate does not use, so compare before writing).
    let stamp = krate.join("workspace-Cargo.lock");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(lock.as_str()) {
        write(krate.join("Cargo.lock"), &lock)?;
        write(stamp, &lock)?;
    }
    crate::cmd::cargo()
        .args(["run", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        // The crate's own target directory: it shares no build state with
        // the workspace (its own lock file), and builds in seconds.
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .run()
}

/// One README block as `fn example_N()`, the way rustdoc wraps a doctest.
fn example_fn(n: usize, block: &str) -> String {
    let body: Vec<&str> = block
        .lines()
        .map(|l| {
            if l == "#" {
                ""
            } else {
                l.strip_prefix("# ").unwrap_or(l)
            }
        })
        .collect();
    let last = body
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .copied()
        .unwrap_or("");
    let indented: String = body.iter().map(|l| format!("        {l}\n")).collect();
    match last
        .trim()
        .strip_prefix("Ok::<(), ")
        .and_then(|r| r.strip_suffix(">(())"))
    {
        Some(error) => format!(
            "fn example_{n}() {{\n    fn run() -> Result<(), {error}> {{\n{indented}    }}\n    run().unwrap();\n}}\n\n"
        ),
        None => format!("fn example_{n}() {{\n    {{\n{indented}    }}\n}}\n\n"),
    }
}
