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
/// comment checked); and `require('exp-rs')` with Node's `require()` of ES
/// modules switched off, as on Node 20.0–20.18.
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
        .run()
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
