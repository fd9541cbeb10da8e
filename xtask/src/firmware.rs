//! The firmware demo (`firmware-demo/`, issue 4): `cargo xtask firmware`
//! and the `firmware` job.
//!
//! Steps: the Arm toolchain, newlib and QEMU (apt) and the rustup target →
//! `libexp_rs_ffi.a` for the Cortex-M7 → `make` in `firmware-demo/` (both
//! board images and the QEMU instruction-counting plugin) → the
//! mps2-an500 image in QEMU three times (10,000 ticks; 2,000 ticks; 10,000
//! ticks evaluating the batch twice), every run's checks must hold →
//! instructions per tick, per batch and per expression from the differences
//! → the same for batches of the first 0, 1, … 7 expressions (1,000 ticks,
//! once and twice per tick), so what each expression adds → section sizes
//! of the stm32h743 image and exp-rs's share, from its linker map.
//!
//! Every board is also built with the UART output backend (`<board>-uart`):
//! the mps2-an500-uart image runs the whole demo once more in QEMU with
//! semihosting off (as a board without a debugger: a BKPT would fault), its
//! report read from the CMSDK UART on QEMU's serial port; it ends with a
//! reset, which `-no-reboot` turns into QEMU's exit, and its status comes
//! from the report's last line, `exit: status N`. Its image must hold no
//! `bkpt` instruction at all. The size table is the stm32h743-uart image's.
//! The stm32h743-uart image is also built with `CLOCK=480` (PLL1 at 480
//! MHz, src/clock.c): linked and size-reported, not run (no H7 in QEMU).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cmd::Cmd;
use crate::ensure::{ensure_apt, ensure_rustup_target};
use crate::jobs::Ctx;

/// Debian packages: the cross compiler, newlib (libc, libm for the C side)
/// and QEMU; host gcc builds the plugin. Installed without recommends.
const APT: &[&str] = &[
    "gcc-arm-none-eabi",
    "libnewlib-arm-none-eabi",
    "qemu-system-arm",
    "gcc",
    "make",
];

/// The Cortex-M7 target (its rustflags live with `jobs::build_thumb_ffi`).
const THUMB: &str = "thumbv7em-none-eabihf";

/// Seconds one QEMU run may take before it counts as a hang (a run takes
/// well under one).
const QEMU_TIMEOUT_SECS: u32 = 60;

/// The runs: (ticks, batch evaluations per tick). The first is the test
/// proper and its report is shown; the second differs in ticks only, the
/// third in evaluations only, so the differences count one tick and one
/// batch evaluation exactly.
const RUNS: [(u64, u64); 3] = [(10_000, 1), (2_000, 1), (10_000, 2)];

/// Expressions in the demo's batch (`firmware-demo/src/demo.h`).
pub(crate) const EXPRESSIONS: u64 = 7;

/// Most instructions one evaluation of the demo's batch may take.
const BATCH_BUDGET: f64 = 2_000.0;

/// Ticks of the runs that measure each expression's share.
const PER_EXPRESSION_TICKS: u64 = 1_000;

/// Builds the library and every demo image (`make all`); returns the
/// build directory (`<target>/firmware-demo`, one sub-directory per image)
/// and the library copy the images link.
pub fn build_images(ctx: &Ctx) -> Result<(PathBuf, PathBuf), String> {
    ensure_apt(APT)?;
    ensure_rustup_target(THUMB)?;
    let out = target_dir(ctx).join("firmware-demo");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;

    // The library, in double precision with the demo's features (the
    // defaults but `symbolic`), copied so that another job building another
    // variant cannot swap it under us.
    let built = crate::jobs::build_thumb_ffi(ctx, crate::jobs::DEMO_FEATURES)?;
    let lib = out.join("libexp_rs_ffi.a");
    copy_if_changed(&built, &lib)?;

    Cmd::new("make")
        .arg("-C")
        .arg(ctx.root.join("firmware-demo"))
        .arg(format!("ROOT={}", ctx.root.display()))
        .arg(format!("BUILD={}", out.display()))
        .arg(format!("EXP_RS_LIB={}", lib.display()))
        .args(["--no-print-directory", "all"])
        .run()?;
    Ok((out, lib))
}

/// The `stm32h743-uart` image linked with the library of exp-rs-ffi's
/// default features, i.e. the demo's plus `symbolic` (printing and
/// derivatives), in `<out>/symbolic`; returns its linker map's path. The
/// `size` job reports its exp-rs share beside the demo's (issue 14).
pub(crate) fn build_h743_with_symbolic(ctx: &Ctx, out: &Path) -> Result<PathBuf, String> {
    let built = crate::jobs::build_thumb_ffi(ctx, "runtime")?;
    let dir = out.join("symbolic");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let lib = dir.join("libexp_rs_ffi.a");
    copy_if_changed(&built, &lib)?;
    let image = dir.join("stm32h743-uart");
    make_variant(
        ctx,
        &lib,
        &dir,
        "PRECISION=f64",
        &[&image.join("firmware.elf")],
    )?;
    Ok(image.join("firmware.map"))
}

/// `firmware` job and `cargo xtask firmware`.
pub fn firmware(ctx: &Ctx) -> Result<(), String> {
    let (out, lib) = build_images(ctx)?;

    let elf = out.join("mps2-an500").join("firmware.elf");
    let plugin = out.join("insn_count.so");
    let mut insns = Vec::new();
    let mut sources = Vec::new();
    for (i, &(ticks, evals)) in RUNS.iter().enumerate() {
        let run = run_qemu(&elf, &plugin, &out, ticks, evals, EXPRESSIONS)?;
        if i == 0 {
            print!("{}", run.report);
            sources = expression_sources(&run.report);
        }
        println!(
            "[firmware] ticks={ticks} evals={evals}: PASS, {} instructions",
            run.insns
        );
        insns.push(run.insns);
    }
    let per_tick = diff_per(insns[0], insns[1], RUNS[0].0 - RUNS[1].0)?;
    let per_batch = diff_per(insns[2], insns[0], RUNS[0].0)?;
    println!(
        "[firmware] instructions per 1 ms tick (sensors, 10 parameters, one batch, \
         results, C check): {per_tick:.1}"
    );
    println!(
        "[firmware] instructions per batch evaluation ({EXPRESSIONS} expressions): \
         {per_batch:.1}, per expression: {:.1}",
        per_batch / EXPRESSIONS as f64
    );

    // Issue 14: size work must not cost the loop its speed.
    if per_batch > BATCH_BUDGET {
        return Err(format!(
            "a batch evaluation takes {per_batch:.1} instructions, over the budget of {BATCH_BUDGET}"
        ));
    }

    per_expression(&elf, &plugin, &out, &sources)?;

    for board in ["mps2-an500-uart", "stm32h743-uart"] {
        no_bkpt(&out.join(board).join("firmware.elf"))?;
    }
    for board in [
        "mps2-an500",
        "mps2-an500-uart",
        "stm32h743",
        "stm32h743-uart",
    ] {
        startup_calls_no_mem(&out.join(board).join("firmware.elf"))?;
    }
    let uart = run_qemu_uart(&out.join("mps2-an500-uart").join("firmware.elf"))?;
    print!("{uart}");
    println!("[firmware] UART build in QEMU (no semihosting): PASS, no BKPT in the UART images");

    // The same UART image with the heap, so the arena, in DTCM (make
    // ARENA_RAM=dtcm), in a build directory of its own.
    let dtcm = out.join("dtcm");
    let dtcm_elf = dtcm.join("mps2-an500-uart").join("firmware.elf");
    let dtcm_h7 = dtcm.join("stm32h743-uart").join("firmware.elf");
    make_variant(ctx, &lib, &dtcm, "ARENA_RAM=dtcm", &[&dtcm_elf, &dtcm_h7])?;
    let report = run_qemu_uart(&dtcm_elf)?;
    if !report.contains(" arena=dtcm") {
        return Err(format!(
            "the ARENA_RAM=dtcm build does not say so:\n{report}"
        ));
    }
    println!("[firmware] UART build with the arena in DTCM, in QEMU: PASS");

    // The H743 UART image with the 480 MHz clock set-up (make CLOCK=480:
    // src/clock.c, PLL1 + VOS0 + flash wait states). No board here and QEMU
    // has no H7: it is linked and size-reported, never run.
    let clock = out.join("clock480");
    let clock_elf = clock.join("stm32h743-uart").join("firmware.elf");
    make_variant(ctx, &lib, &clock, "CLOCK=480", &[&clock_elf])?;
    no_bkpt(&clock_elf)?;
    let map_of = |dir: &Path| -> Result<Sizes, String> {
        let path = dir.join("stm32h743-uart").join("firmware.map");
        std::fs::read_to_string(&path)
            .map(|m| parse_map(&m))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let (base, fast) = (map_of(&out)?, map_of(&clock)?);
    let text = |s: &Sizes| s.total.get(".text").copied().unwrap_or(0);
    println!(
        "[firmware] stm32h743-uart with CLOCK=480: built (not run: no board); .text {} B ({:+} B for the clock set-up)",
        text(&fast),
        text(&fast) as i64 - text(&base) as i64
    );

    // The fault path without a debugger: a UART image that executes an
    // undefined instruction after set-up must report the fault on the UART
    // and reset (no BKPT, no lock-up).
    let crash = out.join("crash");
    let crash_elf = crash.join("mps2-an500-uart").join("firmware.elf");
    make_variant(ctx, &lib, &crash, "CRASH=1", &[&crash_elf])?;
    let report = qemu_uart_output(&crash_elf)?;
    for needed in [
        "FAULT: UsageFault",
        "result: FAIL (fault)",
        "exit: status 3 (fail), resetting",
    ] {
        if !report.contains(needed) {
            return Err(format!("the CRASH=1 UART run lacks `{needed}`:\n{report}"));
        }
    }
    println!("[firmware] UART build faulting on purpose, in QEMU: reported on the UART and reset");

    let map_path = out.join("stm32h743-uart").join("firmware.map");
    let map = std::fs::read_to_string(&map_path)
        .map_err(|e| format!("cannot read {}: {e}", map_path.display()))?;
    print_sizes(&parse_map(&map), &map_path);
    Ok(())
}

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
/// Builds `images` of the demo with one make option (`ARENA_RAM=dtcm`,
/// `CLOCK=480`, `CRASH=1`) into a build directory of its own.
fn make_variant(
    ctx: &Ctx,
    lib: &Path,
    build: &Path,
    option: &str,
    images: &[&Path],
) -> Result<(), String> {
    Cmd::new("make")
        .arg("-C")
        .arg(ctx.root.join("firmware-demo"))
        .arg(format!("ROOT={}", ctx.root.display()))
        .arg(format!("BUILD={}", build.display()))
        .arg(format!("EXP_RS_LIB={}", lib.display()))
        .args([option, "--no-print-directory"])
        .args(images)
        .run()
}

fn target_dir(ctx: &Ctx) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| ctx.root.join("target"), PathBuf::from)
}

/// Copies `from` to `to` unless `to` already has the same bytes (so make
/// does not relink for nothing).
fn copy_if_changed(from: &Path, to: &Path) -> Result<(), String> {
    let new = std::fs::read(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    if std::fs::read(to).is_ok_and(|old| old == new) {
        return Ok(());
    }
    std::fs::write(to, new).map_err(|e| format!("cannot write {}: {e}", to.display()))
}

/// `(bigger - smaller) / n`, failing if the counts went the wrong way.
pub(crate) fn diff_per(bigger: u64, smaller: u64, n: u64) -> Result<f64, String> {
    if bigger <= smaller || n == 0 {
        return Err(format!(
            "instruction counts do not grow with the work: {smaller} then {bigger}"
        ));
    }
    Ok((bigger - smaller) as f64 / n as f64)
}

/// What one QEMU run printed and counted.
pub(crate) struct Run {
    /// The firmware's semihosting output.
    report: String,
    /// Guest instructions executed, from the plugin.
    pub(crate) insns: u64,
}

/// Runs the mps2-an500 image under `timeout` with the counting plugin;
/// fails unless the firmware exits 0 and its report says every check held.
pub(crate) fn run_qemu(
    elf: &Path,
    plugin: &Path,
    out: &Path,
    ticks: u64,
    evals: u64,
    exprs: u64,
) -> Result<Run, String> {
    let log = out.join(format!("qemu-ticks{ticks}-evals{evals}-exprs{exprs}.log"));
    let _ = std::fs::remove_file(&log);
    let timeout = QEMU_TIMEOUT_SECS.to_string();
    let semihosting = format!(
        "enable=on,target=native,arg=firmware,arg=ticks={ticks},arg=evals={evals},arg=exprs={exprs}"
    );
    let mut argv = qemu_argv(&timeout, "null");
    argv.extend(
        ["-semihosting-config", &semihosting, "-d", "plugin"]
            .iter()
            .map(OsString::from),
    );
    for (flag, path) in [
        ("-D", &log),
        ("-plugin", &plugin.to_owned()),
        ("-kernel", &elf.to_owned()),
    ] {
        argv.push(flag.into());
        argv.push(path.into());
    }
    let shown: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    println!("$ {}", shown.join(" "));
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start qemu-system-arm: {e}"))?;
    // Semihosting text arrives on stdout or stderr depending on QEMU's
    // console set-up: take both.
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let failed = |why: String| {
        Err(format!(
            "firmware run ticks={ticks} evals={evals} exprs={exprs}: {why}\n{report}"
        ))
    };
    match output.status.code() {
        Some(0) => {}
        Some(124) => return failed(format!("QEMU timed out after {timeout} s (a hang)")),
        Some(134) => return failed("the core locked up (a fault during a fault)".to_owned()),
        Some(code) => {
            return failed(format!(
                "exit status {code} (1: a check failed, 2: exp-rs panicked, 3: a fault)"
            ));
        }
        None => return failed("QEMU was killed by a signal".to_owned()),
    }
    for needed in REPORT_NEEDS {
        if !report.contains(needed) {
            return failed(format!("the report lacks `{}`", needed.trim()));
        }
    }
    let counted = std::fs::read_to_string(&log).unwrap_or_default();
    let Some(insns) = counted
        .lines()
        .find_map(|l| l.strip_prefix("insns: "))
        .and_then(|n| n.trim().parse().ok())
    else {
        return failed(format!("no instruction count in {}", log.display()));
    };
    Ok(Run { report, insns })
}

/// The lines every passing report holds.
const REPORT_NEEDS: [&str; 7] = [
    "result: PASS",
    "allocations during loop: 0\n",
    "frees during loop: 0\n",
    "mismatches: 0\n",
    "hostile inputs not refused cleanly: 0\n",
    "allocation failures not handled cleanly: 0\n",
    "checks failed: 0\n",
];

/// Fails if the image disassembles to any `bkpt` (the UART build must not
/// be able to execute one: without a debugger it faults).
fn no_bkpt(elf: &Path) -> Result<(), String> {
    let dis = Cmd::new("arm-none-eabi-objdump")
        .arg("-d")
        .arg(elf)
        .read()?;
    let hits: Vec<&str> = dis.lines().filter(|l| l.contains("\tbkpt")).collect();
    if hits.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} holds BKPT instructions:\n{}",
            elf.display(),
            hits.join("\n")
        ))
    }
}

/// Fails if `reset_c` (start-up before `.data`/`.bss` exist) calls
/// `memcpy`/`memset` or their `__aeabi_` forms: GCC turns plain copy loops
/// into such calls unless startup.c is built with
/// `-fno-tree-loop-distribute-patterns`.
fn startup_calls_no_mem(elf: &Path) -> Result<(), String> {
    let dis = Cmd::new("arm-none-eabi-objdump")
        .arg("-d")
        .arg("--disassemble=reset_c")
        .arg(elf)
        .read()?;
    if !dis.contains("<reset_c>:") {
        return Err(format!("{}: no reset_c to check", elf.display()));
    }
    let calls: Vec<&str> = dis
        .lines()
        .filter(|l| l.contains("\tbl") || l.contains("\tb.w"))
        .filter(|l| l.contains("mem"))
        .collect();
    if calls.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: start-up calls memcpy/memset before RAM is set up:\n{}",
            elf.display(),
            calls.join("\n")
        ))
    }
}

/// Runs the mps2-an500 UART image (default 10,000 ticks) with semihosting
/// off and the serial port on stdout; returns the report. The firmware ends
/// with a reset (`-no-reboot`: QEMU exits 0), so the pass is read from the
/// report: `exit: status 0 (pass)` and the usual lines.
fn run_qemu_uart(elf: &Path) -> Result<String, String> {
    let report = qemu_uart_output(elf)?;
    for needed in REPORT_NEEDS.iter().chain(&["exit: status 0 (pass)\n"]) {
        if !report.contains(needed) {
            return Err(format!(
                "firmware UART run: the report lacks `{}`\n{report}",
                needed.trim()
            ));
        }
    }
    Ok(report)
}

/// `timeout SECS qemu-system-arm` on mps2-an500's Cortex-M7, its serial port
/// on `serial` (`null` or `stdio`), one virtual ns per instruction and no
/// real sleeping in WFI (10 simulated seconds of 1000 Hz SysTick take a
/// fraction of one).
fn qemu_argv(timeout: &str, serial: &str) -> Vec<OsString> {
    [
        "timeout",
        timeout,
        "qemu-system-arm",
        "-machine",
        "mps2-an500",
        "-cpu",
        "cortex-m7",
        "-nographic",
        "-monitor",
        "none",
        "-serial",
        serial,
        "-icount",
        "shift=0,sleep=off",
    ]
    .iter()
    .map(OsString::from)
    .collect()
}

/// Runs a UART image in QEMU (semihosting off, serial on stdout,
/// `-no-reboot`); returns its output if QEMU exited 0, i.e. the firmware
/// ended with a reset rather than a hang or a lock-up.
fn qemu_uart_output(elf: &Path) -> Result<String, String> {
    let timeout = QEMU_TIMEOUT_SECS.to_string();
    let mut argv = qemu_argv(&timeout, "stdio");
    argv.extend(["-no-reboot", "-kernel"].iter().map(OsString::from));
    let shown: Vec<_> = argv.iter().map(|a| a.to_string_lossy()).collect();
    println!("$ {} {}", shown.join(" "), elf.display());
    let output = Command::new(&argv[0])
        .args(&argv[1..])
        .arg(elf)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start qemu-system-arm: {e}"))?;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let failed = |why: String| Err(format!("firmware UART run: {why}\n{report}"));
    match output.status.code() {
        Some(0) => {}
        Some(124) => return failed(format!("QEMU timed out after {timeout} s (a hang)")),
        Some(134) => return failed("the core locked up (a fault during a fault)".to_owned()),
        code => return failed(format!("QEMU exit status {code:?}")),
    }
    Ok(report)
}

/// The batch's expressions, from the report's `  [i] source` lines.
fn expression_sources(report: &str) -> Vec<String> {
    report
        .lines()
        .filter_map(|l| l.strip_prefix("  ["))
        .filter_map(|l| l.split_once("] "))
        .map(|(_, src)| src.to_owned())
        .collect()
}

/// The number in the report line `  key: N …`.
fn report_number(report: &str, key: &str) -> Option<u64> {
    report.lines().find_map(|l| {
        l.trim_start()
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(": "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    })
}

/// Runs batches of the first 0, 1, … 7 expressions, each evaluated once and
/// twice per tick, and prints what each expression adds to one batch
/// evaluation (instructions) and to the arena (bytes).
fn per_expression(elf: &Path, plugin: &Path, out: &Path, sources: &[String]) -> Result<(), String> {
    let ticks = PER_EXPRESSION_TICKS;
    let mut rows = Vec::new();
    for exprs in 0..=EXPRESSIONS {
        let once = run_qemu(elf, plugin, out, ticks, 1, exprs)?;
        let twice = run_qemu(elf, plugin, out, ticks, 2, exprs)?;
        let batch = diff_per(twice.insns, once.insns, ticks)?;
        let arena = report_number(&once.report, "arena bytes used")
            .ok_or("no `arena bytes used` in the report")?;
        rows.push((batch, arena));
    }
    println!(
        "[firmware] what each expression adds to a batch evaluation and to the arena \
         (batches of the first 0..{EXPRESSIONS} expressions, {ticks} ticks each):"
    );
    println!(
        "[firmware]   {:>12} {:>8}  expression",
        "instructions", "arena B"
    );
    let mut previous = (0.0, 0);
    for (i, &(batch, arena)) in rows.iter().enumerate() {
        let what = match i {
            0 => "(the call itself, empty batch; arena: the 10 parameter names)",
            _ => sources.get(i - 1).map_or("?", String::as_str),
        };
        println!(
            "[firmware]   {:>12.1} {:>8}  {what}",
            batch - previous.0,
            arena.saturating_sub(previous.1)
        );
        previous = (batch, arena);
    }
    Ok(())
}

/// Where the bytes of an image come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Origin {
    /// `libexp_rs_ffi.a`: exp-rs, its dependencies and Rust's runtime
    /// (`core`, `alloc`, `compiler_builtins`, which also supplies
    /// `memcpy`/`memset` to the C side).
    ExpRs,
    /// newlib (`libc_nano.a`, `libm.a`) and `libgcc.a`.
    Libc,
    /// The firmware's own objects.
    Firmware,
}

/// Bytes per output section, in total and per origin.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Sizes {
    /// Output section name → its size from the map's header line.
    pub(crate) total: BTreeMap<String, u64>,
    /// (output section, origin) → summed input-section sizes.
    pub(crate) by_origin: BTreeMap<(String, Origin), u64>,
    /// (address, size) of every input section from `libexp_rs_ffi.a`, so
    /// that symbols can be attributed by address (the `size` job).
    pub(crate) exp_rs_ranges: Vec<(u64, u64)>,
}

/// The output sections that occupy flash, `.text` with its companions.
pub(crate) const FLASH_SECTIONS: [&str; 6] = [
    ".isr_vector",
    ".text",
    ".ARM.extab",
    ".ARM.exidx",
    ".rodata",
    ".data",
];

impl Sizes {
    /// Flash bytes of `origin` (`FLASH_SECTIONS`).
    pub(crate) fn flash(&self, origin: Origin) -> u64 {
        FLASH_SECTIONS
            .iter()
            .filter_map(|s| self.by_origin.get(&((*s).to_owned(), origin)))
            .sum()
    }

    /// Flash bytes of the whole image.
    pub(crate) fn flash_total(&self) -> u64 {
        FLASH_SECTIONS
            .iter()
            .filter_map(|s| self.total.get(*s))
            .sum()
    }
}

/// Reads a GNU ld map (`-Wl,-Map`): each output section's size, and its
/// input sections summed by the file they come from. Fill and the
/// "Discarded input sections" list are not counted.
pub(crate) fn parse_map(map: &str) -> Sizes {
    let mut sizes = Sizes::default();
    let body = map
        .split_once("Linker script and memory map")
        .map_or(map, |(_, rest)| rest);
    let hex = |s: &str| {
        s.strip_prefix("0x")
            .and_then(|h| u64::from_str_radix(h, 16).ok())
    };
    let mut section: Option<String> = None;
    // An input section whose name filled its line: the numbers follow.
    let mut wrapped_input = false;
    for line in body.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            // An output section header (or a directive such as LOAD).
            wrapped_input = false;
            if !line.starts_with('.') {
                section = None;
                continue;
            }
            section = Some(fields[0].to_owned());
            if let (Some(_), Some(size)) = (
                fields.get(1).copied().and_then(hex),
                fields.get(2).copied().and_then(hex),
            ) {
                sizes.total.insert(fields[0].to_owned(), size);
            }
            continue;
        }
        let Some(out) = &section else { continue };
        // Input section lines: ` name addr size file` or ` name` then
        // `  addr size file`; symbol lines are `  addr name`.
        let numbers = if line.starts_with("  ") {
            if !std::mem::take(&mut wrapped_input) {
                continue;
            }
            &fields[..]
        } else {
            if fields[0].starts_with('*') {
                continue; // a pattern, or *fill*
            }
            if fields.len() == 1 {
                wrapped_input = true;
                continue;
            }
            &fields[1..]
        };
        let (Some(addr), Some(size), Some(file)) = (
            numbers.first().copied().and_then(hex),
            numbers.get(1).copied().and_then(hex),
            numbers.get(2),
        ) else {
            continue;
        };
        let origin = if file.contains("libexp_rs_ffi.a(") {
            Origin::ExpRs
        } else if ["libc_nano.a(", "libc.a(", "libm.a(", "libgcc.a("]
            .iter()
            .any(|l| file.contains(l))
        {
            Origin::Libc
        } else {
            Origin::Firmware
        };
        if origin == Origin::ExpRs && size > 0 {
            sizes.exp_rs_ranges.push((addr, size));
        }
        *sizes.by_origin.entry((out.clone(), origin)).or_default() += size;
    }
    sizes
}

/// Prints the stm32h743(-uart) image's sections with exp-rs's share, then flash
/// and RAM in use.
fn print_sizes(sizes: &Sizes, map: &Path) {
    let get = |s: &str| sizes.total.get(s).copied().unwrap_or(0);
    let part = |s: &str, o: Origin| {
        sizes
            .by_origin
            .get(&(s.to_owned(), o))
            .copied()
            .unwrap_or(0)
    };
    println!(
        "[firmware] stm32h743 image (UART backend), from {}:",
        map.display()
    );
    println!(
        "[firmware]   {:12} {:>8} {:>8} {:>8} {:>8}",
        "section", "total", "exp-rs", "newlib", "firmware"
    );
    // .isr_vector, .ARM.extab and .ARM.exidx are counted with .text.
    let rows: [(&str, &[&str]); 4] = [
        (
            ".text",
            &[".isr_vector", ".text", ".ARM.extab", ".ARM.exidx"],
        ),
        (".rodata", &[".rodata"]),
        (".data", &[".data"]),
        (".bss", &[".bss"]),
    ];
    let (mut flash, mut flash_exp) = (0, 0);
    for (name, sections) in rows {
        let sum = |f: &dyn Fn(&str) -> u64| sections.iter().map(|s| f(s)).sum::<u64>();
        let total = sum(&get);
        let exp = sum(&|s| part(s, Origin::ExpRs));
        let libc = sum(&|s| part(s, Origin::Libc));
        let own = sum(&|s| part(s, Origin::Firmware));
        println!(
            "[firmware]   {name:12} {total:>8} {exp:>8} {libc:>8} {own:>8}  ({:.0}% exp-rs)",
            percent(exp, total)
        );
        if name != ".bss" {
            flash += total;
            flash_exp += exp;
        }
    }
    let static_ram = get(".data") + get(".bss");
    println!(
        "[firmware]   flash used: {flash} B ({flash_exp} B, {:.0}%, from exp-rs) of 2048 KB",
        percent(flash_exp, flash)
    );
    println!(
        "[firmware]   RAM: {static_ram} B of .data+.bss and {} B of stack in DTCM; {} B heap region in AXI SRAM (arena and tables; see the heap high-water above)",
        get(".stack"),
        get(".heap")
    );
}

/// `part` as a percentage of `whole` (0 when `whole` is 0).
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_sections_and_origins() {
        let map = "\
Discarded input sections

 .text.unused   0x00000000       0x40 main.o

Linker script and memory map

.text           0x08000200      0x1a0
 *(.text .text.*)
 .text.main     0x08000200       0x80 build/main.o
                0x08000200                main
 .text._ZN6exp_rs4eval17h0123456789abcdefE
                0x08000280      0x100 lib/libexp_rs_ffi.a(exp_rs-1.o)
                0x08000280                exp_rs::eval
 *fill*         0x08000380        0x4 
 .text.atan2    0x08000384       0x1c /usr/lib/thumb/libm.a(lib_a-w_atan2.o)

.bss            0x20002000       0x10
 .bss.x         0x20002000       0x10 build/main.o
LOAD build/main.o
";
        let sizes = parse_map(map);
        assert_eq!(sizes.total.get(".text"), Some(&0x1a0));
        assert_eq!(sizes.total.get(".bss"), Some(&0x10));
        let part = |s: &str, o| sizes.by_origin.get(&(s.to_owned(), o)).copied();
        assert_eq!(part(".text", Origin::Firmware), Some(0x80));
        assert_eq!(part(".text", Origin::ExpRs), Some(0x100));
        assert_eq!(part(".text", Origin::Libc), Some(0x1c));
        assert_eq!(part(".bss", Origin::Firmware), Some(0x10));
    }
}
