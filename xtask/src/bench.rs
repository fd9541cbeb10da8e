//! `cargo xtask bench`: runs the side-by-side benchmarks and writes
//! BENCHMARKS.md from what criterion measured; plus the quick agreement
//! check `cargo xtask test` runs (`bench_agree`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, cargo};
use crate::ensure::ensure_npm;
use crate::jobs::{Ctx, JOBS};

/// The tinyexpr release the benchmarks use: PyPI's `tinex` sdist ships its
/// C sources. Fetched at bench time into `target/`, never committed.
const TINEX: &str = "tinex==0.3.1";

/// Puts `tinyexpr.c` and `tinyexpr.h` into `target/tinyexpr/` (from PyPI
/// with pip) unless they are there. A failure is reported, not fatal: the
/// benches then skip tinyexpr and say why.
pub fn fetch_tinyexpr(root: &Path) {
    let dir = root.join("target/tinyexpr");
    if dir.join("tinyexpr.c").exists() && dir.join("tinyexpr.h").exists() {
        return;
    }
    let download = root.join("target/tinyexpr-download");
    let fetched = (|| -> Result<(), String> {
        fs::create_dir_all(&download).map_err(|e| e.to_string())?;
        Cmd::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-q",
                TINEX,
                "-d",
            ])
            .arg(&download)
            .run()?;
        let tarball = fs::read_dir(&download)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
            .ok_or("pip downloaded no .tar.gz")?;
        Cmd::new("tar")
            .arg("xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(&download)
            .run()?;
        fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for file in ["tinyexpr.c", "tinyexpr.h"] {
            let found = find(&download, file).ok_or(format!("{file} not in the sdist"))?;
            fs::copy(found, dir.join(file)).map_err(|e| e.to_string())?;
        }
        Ok(())
    })();
    if let Err(e) = fetched {
        println!("[bench] tinyexpr unavailable, its rows will be skipped: {e}");
    }
}

fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in fs::read_dir(dir).ok()?.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            if let Some(p) = find(&path, name) {
                return Some(p);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}

/// `bench_agree` job: every peer computes what exp-rs computes on every
/// benchmark case (no timing), and the bench target compiles.
pub fn agree(ctx: &Ctx) -> Result<(), String> {
    fetch_tinyexpr(&ctx.root);
    cargo().args(["test", "-p", "exp-rs-benches"]).run()?;
    cargo()
        .args(["bench", "-p", "exp-rs-benches", "--no-run"])
        .run()?;
    js(ctx, &["--agree"])
}

/// Runs the JS benchmark (`benches/js/bench.mjs`) with `args`, building the
/// npm package first if no earlier job did.
fn js(ctx: &Ctx, args: &[&str]) -> Result<(), String> {
    if !ctx.root.join("wasm/pkg/node.js").exists() {
        let wasm = JOBS
            .iter()
            .find(|j| j.name == "wasm")
            .ok_or("no `wasm` job")?;
        (wasm.run)(ctx)?;
    }
    let dir = ctx.root.join("benches/js");
    ensure_npm(&dir)?;
    Cmd::new("node").arg(dir.join("bench.mjs")).args(args).run()
}

/// `cargo xtask bench [SECONDS]`: the full run, then BENCHMARKS.md.
/// `cargo xtask bench report` only rewrites BENCHMARKS.md from the last run;
/// `cargo xtask bench js` runs only the JS benchmark and replaces the JS
/// section of BENCHMARKS.md, leaving the Rust tables as they were.
pub fn run(ctx: &Ctx, arg: Option<&str>) -> Result<(), String> {
    if arg == Some("js") {
        js(ctx, &[])?;
        let file = ctx.root.join("BENCHMARKS.md");
        let md = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let section = fs::read_to_string(ctx.root.join("target/js-bench.md"))
            .map_err(|e| format!("target/js-bench.md: {e}"))?;
        fs::write(&file, splice_js(&md, &section)?).map_err(|e| e.to_string())?;
        println!("[bench] replaced the JavaScript section of BENCHMARKS.md");
        return Ok(());
    }
    if arg != Some("report") {
        fetch_tinyexpr(&ctx.root);
        let criterion = ctx.root.join("target/criterion");
        if criterion.exists() {
            fs::remove_dir_all(&criterion).map_err(|e| e.to_string())?;
        }
        let mut bench = cargo().args(["bench", "-p", "exp-rs-benches", "--bench", "eval"]);
        if let Some(s) = arg {
            bench = bench.env("EXP_RS_BENCH_SECONDS", s);
        }
        bench.run()?;
        cargo()
            .args(["bench", "-p", "exp-rs-benches", "--bench", "math"])
            .run()?;
        js(ctx, &[])?;
    }
    let report = report(&ctx.root)?;
    fs::write(ctx.root.join("BENCHMARKS.md"), report).map_err(|e| e.to_string())?;
    println!("[bench] wrote BENCHMARKS.md");
    Ok(())
}

/// Heading that opens the JS section (written by `benches/js/report.mjs`).
const JS_HEADING: &str = "## JavaScript";
/// Heading of the section that follows it in BENCHMARKS.md.
const MACHINE_HEADING: &str = "## Machine and how to reproduce";

/// `md` with its JS section (from [`JS_HEADING`] up to [`MACHINE_HEADING`])
/// replaced by `section`.
fn splice_js(md: &str, section: &str) -> Result<String, String> {
    let end = md
        .find(MACHINE_HEADING)
        .ok_or("BENCHMARKS.md has no machine section: run the full `cargo xtask bench`")?;
    let start = md[..end].find(JS_HEADING).unwrap_or(end);
    Ok(format!(
        "{}{}\n\n{}",
        &md[..start],
        section.trim_end(),
        &md[end..]
    ))
}

/// Mean ns of every `group/function` criterion measured.
fn estimates(criterion: &Path) -> Result<BTreeMap<(String, String), f64>, String> {
    let mut out = BTreeMap::new();
    for group in fs::read_dir(criterion).map_err(|e| format!("{}: {e}", criterion.display()))? {
        let group = group.map_err(|e| e.to_string())?.path();
        let Ok(functions) = fs::read_dir(&group) else {
            continue;
        };
        for function in functions.filter_map(Result::ok) {
            let file = function.path().join("new/estimates.json");
            let Ok(json) = fs::read_to_string(&file) else {
                continue;
            };
            if let Some(mean) = point_estimate(&json) {
                let name = |p: &Path| {
                    p.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                out.insert((name(&group), name(&function.path())), mean);
            }
        }
    }
    Ok(out)
}

/// `"mean":{…"point_estimate":N` from criterion's estimates.json.
fn point_estimate(json: &str) -> Option<f64> {
    let mean = &json[json.find("\"mean\"")?..];
    let at = mean.find("\"point_estimate\":")? + "\"point_estimate\":".len();
    let rest = &mean[at..];
    let end = rest.find([',', '}'])?;
    rest[..end].trim().parse().ok()
}

/// The expressions, in case order, as the bench binary lists them:
/// `(group suffix, set, source)`, read from the benches crate's cases.
fn cases(root: &Path) -> Result<Vec<(String, String)>, String> {
    // The sources live in Rust; the bench writes the allocation table with
    // one row per (case, library), which also names every case group.
    let tsv =
        fs::read_to_string(root.join("target/bench-allocations.tsv")).map_err(|e| e.to_string())?;
    let mut groups: Vec<(String, String)> = Vec::new();
    for line in tsv.lines() {
        let mut cols = line.split('\t');
        let (Some(group), Some(src)) = (cols.next(), cols.nth(2)) else {
            continue;
        };
        if !groups.iter().any(|g| g.0 == group) {
            groups.push((group.to_string(), src.to_string()));
        }
    }
    Ok(groups)
}

/// Operators and function calls in a formula: a rough count, to pick the
/// expressions the "within 3 × native" target speaks of.
fn operations(src: &str) -> usize {
    let bytes = src.as_bytes();
    let ops = bytes.iter().filter(|b| b"+-*/%^<>?!".contains(b)).count();
    let calls = bytes
        .windows(2)
        .filter(|w| w[0].is_ascii_alphanumeric() && w[1] == b'(')
        .count();
    ops + calls
}

/// The math functions side by side (`benches/benches/math.rs`, which
/// writes `target/bench-math.tsv`): exp-rs's own (`Real`, the same bits on
/// every target) against the host C library's (glibc), per call on varied
/// inputs, the two sides alternating. Issue 16's target: pow, exp and ln
/// each ≤ 1.1 × glibc.
fn math_section(w: &mut String, root: &Path) {
    let Ok(tsv) = fs::read_to_string(root.join("target/bench-math.tsv")) else {
        return;
    };
    let _ = writeln!(w, "\n## Math functions: exp-rs against glibc\n");
    let _ = writeln!(
        w,
        "exp-rs computes with its own pure-Rust functions (core/src/math/; correctly rounded on nearly every input, docs/ACCURACY.md), so the host, the Cortex-M7 and wasm give the same bits; tinyexpr and the Rust peers call the platform's libm, glibc here (which picks FMA code paths on this CPU; exp-rs uses no FMA: on targets without it the bits would differ). Per call, on 1024 varied inputs, the two sides alternating in 101 rounds, fastest round kept (`benches/benches/math.rs`):\n"
    );
    let _ = writeln!(w, "| function | exp-rs ns | glibc ns | × glibc | target |");
    let _ = writeln!(w, "|---|---:|---:|---:|---|");
    for line in tsv.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let [f, ours, c] = cols[..] else { continue };
        let (Ok(ours), Ok(c)) = (ours.parse::<f64>(), c.parse::<f64>()) else {
            continue;
        };
        let ratio = ours / c;
        let verdict = match f {
            "pow" | "exp" | "ln" if ratio <= 1.1 => "≤ 1.1 ×: met",
            "pow" | "exp" | "ln" => "≤ 1.1 ×: missed",
            _ => "–",
        };
        let _ = writeln!(w, "| `{f}` | {ours:.1} | {c:.1} | {ratio:.2} | {verdict} |");
    }
    let _ = writeln!(
        w,
        "\nRows dominated by `pow` with a non-trivial exponent (`a^1.5`, `z^z`) follow the `pow` row; `x^2`, `x^1`, `x^-1` and `x^0` are exact rewrites that avoid `pow`. Against native Rust the gap is the interpreter itself: the compiled closure folds and pipelines the whole formula, while exp-rs dispatches one instruction at a time (about 1–2 ns each)."
    );
}

/// Builds BENCHMARKS.md.
fn report(root: &Path) -> Result<String, String> {
    let times = estimates(&root.join("target/criterion"))?;
    let tsv =
        fs::read_to_string(root.join("target/bench-allocations.tsv")).map_err(|e| e.to_string())?;
    let mut allocs: BTreeMap<(String, String), f64> = BTreeMap::new();
    for line in tsv.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if let [group, lib, per_eval, _src] = cols[..] {
            allocs.insert(
                (group.to_string(), lib.to_string()),
                per_eval.parse().unwrap_or(f64::NAN),
            );
        }
    }
    let libs = [
        "exp-rs", "native", "tinyexpr", "fasteval", "exmex", "meval", "evalexpr",
    ];
    let mut md = String::new();
    let w = &mut md;
    let _ = writeln!(w, "# Benchmarks\n");
    let _ = writeln!(
        w,
        "Generated by `cargo xtask bench` — do not edit by hand. Every number below was measured in one run on the machine described at the end; absolute times on a shared machine are noise, so read the **ratios**. Each library is given its best API (compiled once, variables bound by slot or pointer where offered), inputs change on every iteration, and before timing, every library's result was checked against exp-rs on every case (`benches/tests/agree.rs`).\n"
    );
    let mut ratio_tinyexpr = Vec::new();
    let mut ratio_best_rust = Vec::new();
    let mut misses = Vec::new();
    // (within 3x native, of expressions with 3+ operations), and
    // (parse+compile faster than fasteval's, of expressions both compiled).
    let (mut near_native, mut three_ops) = (Vec::new(), 0);
    let (mut compile_wins, mut compile_both) = (0, 0);
    let mut sets: Vec<String> = Vec::new();
    let groups = cases(root)?;
    for (group, _) in &groups {
        let set = group
            .rsplit_once('-')
            .map_or(group.as_str(), |s| s.0)
            .to_string();
        if !sets.contains(&set) {
            sets.push(set);
        }
    }
    for set in &sets {
        let _ = writeln!(w, "## {set} set\n");
        let _ = writeln!(
            w,
            "| expression | library | ns/eval | × exp-rs | × native | allocations/eval | parse+compile ns |"
        );
        let _ = writeln!(w, "|---|---|---:|---:|---:|---:|---:|");
        for (group, src) in groups
            .iter()
            .filter(|g| g.0.rsplit_once('-').is_some_and(|s| s.0 == set))
        {
            let eval = |lib: &str| {
                times
                    .get(&(format!("eval-{group}"), lib.to_string()))
                    .copied()
            };
            let compile = |lib: &str| {
                times
                    .get(&(format!("compile-{group}"), lib.to_string()))
                    .copied()
            };
            let Some(ours) = eval("exp-rs") else { continue };
            let native = eval("native");
            for lib in libs {
                let Some(t) = eval(lib) else { continue };
                let alloc = allocs.get(&(group.clone(), lib.to_string())).copied();
                let _ = writeln!(
                    w,
                    "| {} | {lib} | {t:.1} | {:.2} | {} | {} | {} |",
                    if lib == "exp-rs" {
                        format!("`{}`", src.replace('|', "\\|"))
                    } else {
                        String::new()
                    },
                    t / ours,
                    native.map_or("–".into(), |n| format!("{:.2}", t / n)),
                    alloc.map_or("–".into(), |a| format!("{a}")),
                    compile(lib).map_or("–".into(), |c| format!("{c:.0}")),
                );
            }
            if let Some(te) = eval("tinyexpr") {
                ratio_tinyexpr.push(ours / te);
                if ours >= te {
                    misses.push(format!(
                        "`{src}`: exp-rs {ours:.1} ns vs tinyexpr {te:.1} ns"
                    ));
                }
            }
            let best_rust = ["fasteval", "exmex", "meval", "evalexpr"]
                .iter()
                .filter_map(|l| eval(l))
                .fold(f64::INFINITY, f64::min);
            if best_rust.is_finite() {
                ratio_best_rust.push(ours / best_rust);
            }
            if operations(src) >= 3 {
                three_ops += 1;
                match native {
                    Some(n) if ours <= 3.0 * n => near_native.push(src.clone()),
                    _ => {}
                }
            }
            if let (Some(a), Some(b)) = (compile("exp-rs"), compile("fasteval")) {
                compile_both += 1;
                compile_wins += usize::from(a < b);
            }
        }
        let _ = writeln!(w);
    }
    // The firmware batch.
    let _ = writeln!(
        w,
        "## The firmware batch: 7 expressions over 10 parameters per tick\n"
    );
    let _ = writeln!(
        w,
        "exp-rs evaluates its `Batch`; the others evaluate their 7 compiled expressions in turn.\n"
    );
    let _ = writeln!(w, "| library | ns/tick | × exp-rs |");
    let _ = writeln!(w, "|---|---:|---:|");
    if let Some(ours) = times
        .get(&("batch-firmware-7".into(), "exp-rs".into()))
        .copied()
    {
        for lib in libs {
            if let Some(t) = times.get(&("batch-firmware-7".into(), lib.to_string())) {
                let _ = writeln!(w, "| {lib} | {t:.1} | {:.2} |", t / ours);
            }
        }
    }
    let geo = |v: &[f64]| (v.iter().map(|x| x.ln()).sum::<f64>() / v.len().max(1) as f64).exp();
    let _ = writeln!(w, "\n## Targets\n");
    let _ = writeln!(w, "| target | measured |");
    let _ = writeln!(w, "|---|---|");
    let _ = writeln!(
        w,
        "| faster than tinyexpr on every expression | {} of {} ({}) |",
        ratio_tinyexpr.iter().filter(|r| **r < 1.0).count(),
        ratio_tinyexpr.len(),
        if misses.is_empty() {
            "met".to_string()
        } else {
            "missed, see below".to_string()
        }
    );
    let _ = writeln!(
        w,
        "| geometric mean ≤ 0.7 × tinyexpr | {:.2} × |",
        geo(&ratio_tinyexpr)
    );
    let _ = writeln!(
        w,
        "| geometric mean ≤ 0.5 × best Rust peer (per expression) | {:.2} × |",
        geo(&ratio_best_rust)
    );
    let _ = writeln!(
        w,
        "| within 3 × native on expressions of 3 or more operations | {} of {} |",
        near_native.len(),
        three_ops
    );
    let _ = writeln!(
        w,
        "| parse+compile faster than fasteval's | {compile_wins} of {compile_both} expressions |"
    );
    let _ = writeln!(w, "| 0 allocations per eval | {} |", {
        let ours: Vec<f64> = allocs
            .iter()
            .filter(|(k, _)| k.1 == "exp-rs")
            .map(|(_, v)| *v)
            .collect();
        if ours.iter().all(|v| *v == 0.0) {
            format!("0 on all {} expressions", ours.len())
        } else {
            "NOT met".into()
        }
    });
    if !misses.is_empty() {
        let _ = writeln!(w, "\nWhere exp-rs is not faster than tinyexpr:\n");
        for m in &misses {
            let _ = writeln!(w, "- {m}");
        }
    }
    math_section(w, root);
    if let Ok(js) = fs::read_to_string(root.join("target/js-bench.md")) {
        let _ = writeln!(w, "\n{js}");
    }
    let _ = writeln!(w, "\n## Machine and how to reproduce\n");
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = cargo().arg("--version").read().unwrap_or_default();
    let _ = writeln!(
        w,
        "- CPU: {cpu}, {cores} cores\n- {}\n- tinyexpr: `{TINEX}` from PyPI, built with the `cc` crate at -O3\n",
        rustc.trim()
    );
    let _ = writeln!(
        w,
        "```sh\ncargo xtask bench        # ~5 minutes; `cargo xtask bench 2` measures 2 s per point\ncargo xtask bench js     # the JavaScript section only, ~2 minutes\n```"
    );
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::splice_js;

    #[test]
    fn the_js_section_is_replaced_and_the_rest_kept() {
        let md = "# B\n\n## Rust\nrows\n\n## JavaScript (old)\nold rows\n\n## Machine and how to reproduce\n- CPU\n";
        let out = splice_js(md, "## JavaScript (new)\nnew rows\n").expect("spliced");
        assert_eq!(
            out,
            "# B\n\n## Rust\nrows\n\n## JavaScript (new)\nnew rows\n\n## Machine and how to reproduce\n- CPU\n"
        );
        // No JS section yet: it goes before the machine section.
        let bare = "# B\n\n## Machine and how to reproduce\n";
        assert_eq!(
            splice_js(bare, "## JavaScript\nx").expect("spliced"),
            "# B\n\n## JavaScript\nx\n\n## Machine and how to reproduce\n"
        );
        assert!(splice_js("# B\n", "## JavaScript\n").is_err());
    }
}
