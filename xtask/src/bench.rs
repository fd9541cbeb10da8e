//! `cargo xtask bench`: runs the side-by-side benchmarks and writes
//! BENCHMARKS.md from what criterion measured; plus the quick agreement
//! check `cargo xtask test` runs (`bench_agree`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::bench_math::{self, geomean};
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
        let mut phases = String::new();
        let mut timed = |phase: &str, cmd: &mut dyn FnMut() -> Result<(), String>| {
            let start = Instant::now();
            let done = cmd();
            let _ = writeln!(phases, "{phase}\t{}", start.elapsed().as_secs_f64());
            done
        };
        // The benches are built first, so the times below are measuring.
        cargo()
            .args(["bench", "-p", "exp-rs-benches", "--no-run"])
            .run()?;
        timed("criterion", &mut || {
            let mut bench = cargo().args(["bench", "-p", "exp-rs-benches", "--bench", "eval"]);
            if let Some(s) = arg {
                bench = bench.env("EXP_RS_BENCH_SECONDS", s);
            }
            bench.run()
        })?;
        for name in ["math", "versus", "tick"] {
            timed(name, &mut || {
                cargo()
                    .args(["bench", "-p", "exp-rs-benches", "--bench", name])
                    .run()
            })?;
        }
        timed("js", &mut || js(ctx, &[]))?;
        fs::write(ctx.root.join(RUNTIME_TSV), phases).map_err(|e| e.to_string())?;
    }
    let (report, summary) = report(&ctx.root)?;
    fs::write(ctx.root.join("BENCHMARKS.md"), report).map_err(|e| e.to_string())?;
    println!("[bench] wrote BENCHMARKS.md");
    let readme = ctx.root.join("README.md");
    let text = fs::read_to_string(&readme).map_err(|e| format!("README.md: {e}"))?;
    fs::write(&readme, splice_summary(&text, &summary)?).map_err(|e| e.to_string())?;
    println!("[bench] wrote the Performance summary in README.md");
    Ok(())
}

/// Markers around the README's Performance summary, which `run` writes.
const SUMMARY_BEGIN: &str = "<!-- bench:begin (cargo xtask bench writes this) -->";
/// See [`SUMMARY_BEGIN`].
const SUMMARY_END: &str = "<!-- bench:end -->";

/// `readme` with the text between the summary markers replaced.
fn splice_summary(readme: &str, summary: &str) -> Result<String, String> {
    let start = readme
        .find(SUMMARY_BEGIN)
        .ok_or("README.md has no bench:begin marker")?
        + SUMMARY_BEGIN.len();
    let end = readme[start..]
        .find(SUMMARY_END)
        .ok_or("README.md has no bench:end marker")?
        + start;
    Ok(format!(
        "{}\n{}{}",
        &readme[..start],
        summary,
        &readme[end..]
    ))
}

/// Where `run` keeps how long each part of the last full run took
/// (`phase`, seconds), for the reproduce section.
const RUNTIME_TSV: &str = "target/bench-runtime.tsv";

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

/// Builds BENCHMARKS.md.
/// BENCHMARKS.md, and the README's Performance summary, from the measured
/// files of the last run.
fn report(root: &Path) -> Result<(String, String), String> {
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
    let ticks = bench_math::read_versus_batch(root);
    if let Some(ours) = ticks.get("exp-rs").copied() {
        let _ = writeln!(
            w,
            "\nInterleaved (`benches/tick.rs`: each round times a run of ticks of every library in turn, and the fastest round of each is kept, so a busy machine cannot favour one side):\n"
        );
        let _ = writeln!(w, "| library | ns/tick | × exp-rs |");
        let _ = writeln!(w, "|---|---:|---:|");
        for (lib, t) in &ticks {
            let _ = writeln!(w, "| {lib} | {t:.1} | {:.2} |", t / ours);
        }
    }
    let math = bench_math::read_math(root);
    let versus = bench_math::read_versus(root);
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    let _ = writeln!(w, "\n## Targets\n");
    let _ = writeln!(
        w,
        "From the tables above (criterion, one library after the other), except where a row says interleaved.\n"
    );
    let _ = writeln!(w, "| target | measured | |");
    let _ = writeln!(w, "|---|---|---|");
    let _ = writeln!(
        w,
        "| faster than tinyexpr on every expression | {} of {} | {} |",
        ratio_tinyexpr.iter().filter(|r| **r < 1.0).count(),
        ratio_tinyexpr.len(),
        met(misses.is_empty())
    );
    let _ = writeln!(
        w,
        "| geometric mean ≤ 0.6 × tinyexpr | {:.2} × | {} |",
        geomean(&ratio_tinyexpr),
        met(geomean(&ratio_tinyexpr) <= 0.6)
    );
    bench_math::target_rows(w, &math, &versus);
    let _ = writeln!(
        w,
        "| geometric mean ≤ 0.5 × best Rust peer (per expression) | {:.2} × | {} |",
        geomean(&ratio_best_rust),
        met(geomean(&ratio_best_rust) <= 0.5)
    );
    let _ = writeln!(
        w,
        "| within 3 × native on expressions of 3 or more operations | {} of {} | {} |",
        near_native.len(),
        three_ops,
        met(near_native.len() == three_ops)
    );
    let _ = writeln!(
        w,
        "| parse+compile faster than fasteval's | {compile_wins} of {compile_both} expressions | {} |",
        met(compile_wins == compile_both)
    );
    let ours: Vec<f64> = allocs
        .iter()
        .filter(|(k, _)| k.1 == "exp-rs")
        .map(|(_, v)| *v)
        .collect();
    let _ = writeln!(
        w,
        "| 0 allocations per eval | {} of {} expressions | {} |",
        ours.iter().filter(|v| **v == 0.0).count(),
        ours.len(),
        met(ours.iter().all(|v| *v == 0.0))
    );
    if !misses.is_empty() {
        let _ = writeln!(
            w,
            "\nWhere exp-rs is not faster than tinyexpr in the tables above:\n"
        );
        for m in &misses {
            let _ = writeln!(w, "- {m}");
        }
    }
    bench_math::versus_section(w, &math, &versus);
    bench_math::math_section(w, &math);
    if let Ok(js) = fs::read_to_string(root.join("target/js-bench.md")) {
        let _ = writeln!(w, "\n{js}");
    }
    let summary = summary(&times, &ticks, &ratio_tinyexpr, &misses, &math, &ours);
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
    let _ = writeln!(w, "{}", reproduce(root));
    Ok((md, summary))
}

/// The README's Performance paragraph: the firmware batch against the
/// peers, the tinyexpr comparison and the math functions against glibc,
/// every number from this run.
fn summary(
    times: &BTreeMap<(String, String), f64>,
    ticks: &BTreeMap<String, f64>,
    ratio_tinyexpr: &[f64],
    misses: &[String],
    math: &[bench_math::MathRow],
    allocs: &[f64],
) -> String {
    let tick = |lib: &str| times.get(&("batch-firmware-7".into(), lib.to_string()));
    let mut s = String::from(
        "Measured side by side in one run by `cargo xtask bench` (full tables, the\nmachine and the reasons for every miss in [BENCHMARKS.md](BENCHMARKS.md)):\n",
    );
    if let (Some(ours), Some(te), Some(fe)) = (tick("exp-rs"), tick("tinyexpr"), tick("fasteval")) {
        let _ = writeln!(
            s,
            "the firmware's 7-expression batch takes {ours:.0} ns per tick in exp-rs against\n{te:.0} ns in tinyexpr (C) and {fe:.0} ns in fasteval;"
        );
    }
    if let (Some(ours), Some(te), Some(native)) = (
        ticks.get("exp-rs"),
        ticks.get("tinyexpr"),
        ticks.get("native"),
    ) {
        let _ = writeln!(
            s,
            "timed interleaved, {ours:.0} ns against tinyexpr's {te:.0} ns ({:.2} ×) and {native:.0} ns for the\nsame formulas in native Rust;",
            ours / te
        );
    }
    let faster = ratio_tinyexpr.iter().filter(|r| **r < 1.0).count();
    let _ = write!(
        s,
        "exp-rs is faster than tinyexpr on {faster} of {} benchmark expressions (geometric mean\n{:.2} ×",
        ratio_tinyexpr.len(),
        bench_math::geomean(ratio_tinyexpr)
    );
    if !misses.is_empty() {
        let _ = write!(s, "; the misses are listed there");
    }
    let _ = writeln!(
        s,
        "), with {} allocations per evaluation.",
        if allocs.iter().all(|a| *a == 0.0) {
            "0"
        } else {
            "some"
        }
    );
    let key: Vec<String> = ["pow", "exp", "ln"]
        .iter()
        .filter_map(|f| math.iter().find(|m| m.name == *f))
        .map(|m| format!("`{}` {:.2} ×", m.name, m.ours / m.glibc))
        .collect();
    if !key.is_empty() {
        let _ = writeln!(
            s,
            "exp-rs's own correctly rounded math against glibc's, time per call: {}.",
            key.join(", ")
        );
    }
    s
}

/// The commands, with how long each part of the last full run took here
/// (from [`RUNTIME_TSV`]).
fn reproduce(root: &Path) -> String {
    let phases: Vec<(String, f64)> = fs::read_to_string(root.join(RUNTIME_TSV))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (name, secs) = l.split_once('\t')?;
            Some((name.to_string(), secs.parse().ok()?))
        })
        .collect();
    let took = |name: &str| phases.iter().find(|p| p.0 == name).map(|p| p.1);
    let minutes = |s: f64| format!("{:.1} min", s / 60.0);
    let mut out = String::from(
        "```sh\ncargo xtask bench           # everything: criterion, math, interleaved, JS; then this file\ncargo xtask bench SECONDS   # the same, criterion measuring SECONDS per point (default 0.5)\ncargo xtask bench js        # the JavaScript section only\ncargo xtask bench report    # rewrite this file from the last run's results\n```\n",
    );
    if !phases.is_empty() {
        let total: f64 = phases.iter().map(|p| p.1).sum();
        let part = |name: &str, what: &str| took(name).map(|s| format!("{what} {}", minutes(s)));
        let parts: Vec<String> = [
            part("criterion", "criterion tables"),
            part("math", "math functions"),
            part("versus", "interleaved exp-rs/tinyexpr"),
            part("tick", "interleaved firmware tick"),
            part("js", "JavaScript"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let _ = writeln!(
            out,
            "\nThis run took {} after the build, measured by xtask: {}.",
            minutes(total),
            parts.join(", ")
        );
    }
    out
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
