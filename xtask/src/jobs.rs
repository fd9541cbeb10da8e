//! The checks `cargo xtask test` runs, in order. To add a job, write a
//! `fn(&Ctx) -> Result<(), String>` and append a [`Job`] row to [`JOBS`].

use std::path::PathBuf;

use crate::cmd::{Cmd, cargo};
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
        about: "cargo test --workspace (f32 and f64); hostile.rs again in release on 16 KiB stacks",
        run: test,
    },
    Job {
        name: "no_std",
        about: "release build of exp-rs for thumbv7em-none-eabihf (Cortex-M7)",
        run: no_std,
    },
    Job {
        name: "accuracy",
        about: "math tables fresh; every math function against mpmath (200 bits) on a fixed sample, issue 16 limits where set",
        run: crate::accuracy::sample,
    },
    Job {
        name: "doc",
        about: "rustdoc of exp-rs with -D warnings",
        run: doc,
    },
    Job {
        name: "gen",
        about: "the error-kind copies in ffi-c and wasm are what `cargo xtask gen` writes (XTASK_BLESS=1 rewrites them)",
        run: crate::generate::check,
    },
    Job {
        name: "readme-rust",
        about: "README.md's Rust examples built and run in a fresh crate that depends on exp-rs alone",
        run: crate::install::readme_rust,
    },
    Job {
        name: "ffi-header",
        about: "exp_rs.h is what pinned cbindgen makes (XTASK_BLESS=1 rewrites it); C99/C++ compile",
        run: ffi_header,
    },
    Job {
        name: "ffi-c",
        about: "C tests on the host staticlib (f64, f32) under ASan+UBSan, then Valgrind",
        run: ffi_c,
    },
    Job {
        name: "ffi-thumb",
        about: "exp-rs-ffi staticlib for thumbv7em-none-eabihf (cortex-m7, f64, f32), linked size",
        run: ffi_thumb,
    },
    Job {
        name: "ffi-qemu",
        about: "the thumbv7em staticlib in a C program on QEMU's Cortex-M7: allocator, panic hook, the host's bits on the math sample",
        run: ffi_qemu,
    },
    Job {
        name: "ffi-link",
        about: "a C program of one precision links only against that archive (host: -O0/-O2/gc-sections/LTO; Cortex-M7); pkg-config files",
        run: crate::ffi_install::ffi_link,
    },
    Job {
        name: "cmake",
        about: "ffi-c/cmake/ExpRs.cmake: host (f64, f32; run) and Cortex-M7 builds; a changed Rust source re-runs cargo",
        run: crate::ffi_install::cmake,
    },
    Job {
        name: "wasm",
        about: "npm package exp-rs into wasm/pkg/ (wasm-bindgen, wasm-opt), sizes, npm pack",
        run: crate::wasm::wasm,
    },
    Job {
        name: "node",
        about: "node --test over the npm package: API, errors, allocations, conformance table",
        run: crate::wasm::node,
    },
    Job {
        name: "types",
        about: "the npm package's .d.ts under tsc --strict (Node-only and DOM settings), its examples run; require() as CommonJS; Bun, Deno",
        run: crate::install::types,
    },
    Job {
        name: "bundlers",
        about: "a tiny app from the npm tarball via esbuild, webpack, Rollup, Vite (dev, build, linked) and <script>, in Chromium; sizes",
        run: crate::install::bundlers,
    },
    Job {
        name: "bench-agree",
        about: "every benchmark peer (Rust, C, JS, hand-written JS) and exp-rs tier computes what exp-rs computes; benches compile",
        run: crate::bench::agree,
    },
    Job {
        name: "firmware",
        about: "C firmware on a QEMU Cortex-M7: 7 expressions at 1000 Hz, 0 allocations, instructions per batch, sizes",
        run: crate::firmware::firmware,
    },
    Job {
        name: "size",
        about: "size budgets: exp-rs's flash share of the demo images (linker map), the npm .wasm raw and gzip, the tarball",
        run: crate::size::size,
    },
    Job {
        name: "fuzz-smoke",
        about: "cargo-fuzz: replay the committed corpus, then each target for 10 s",
        run: crate::fuzz::smoke,
    },
    Job {
        name: "browser",
        about: "the playground in headless Chromium (playwright-core): result, tree, costs, plot, errors, links",
        run: crate::playground::browser,
    },
];

/// The bare-metal target that proves exp-rs is `no_std` (STM32H7 class).
pub const THUMB: &str = "thumbv7em-none-eabihf";

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
    cargo().args(["test", "--workspace"]).run()?;
    // The hostile inputs again optimised, where they must fit a 16 KiB
    // thread (the README's claim; unoptimised they get 64 KiB).
    cargo()
        .args(["test", "--release", "-p", "exp-rs", "--test", "hostile"])
        .run()?;
    // The literal parser against `str::parse` on millions of random
    // literals (a few thousand unoptimised, in the run above).
    cargo()
        .args(["test", "--release", "-p", "exp-rs", "--lib", "literal::"])
        .run()
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

// ---------------------------------------------------------------------------
// ffi-c: the C door (issue 3). Paths are relative to the workspace root.

/// The cbindgen release the committed header is generated with.
const CBINDGEN_VERSION: &str = "0.29.4";
/// The committed header.
const FFI_HEADER: &str = "ffi-c/include/exp_rs.h";
/// Build products of the ffi jobs (test binaries, generated header).
const FFI_OUT: &str = "target/ffi-c";
/// Debian packages the C tests need (the sanitizer runtimes come with gcc).
const FFI_APT: &[&str] = &["gcc", "g++", "valgrind"];
/// Warnings as errors for every C compile.
const C_WARNINGS: &[&str] = &["-Wall", "-Wextra", "-Werror", "-pedantic"];
/// Link flags that route every allocation of the test binary (and of the
/// Rust library linked into it) through the counting wrappers in
/// `test_api.c` and `seed_example.c`.
const WRAP_ALLOC: &str = "-Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc,--wrap=posix_memalign,--wrap=aligned_alloc";
/// The C test programs: name (`ffi-c/tests/<name>.c`, or the README's
/// example), whether the counting allocator is linked in, and arguments.
const C_TESTS: &[(&str, bool, &[&str])] = &[
    ("test_api", true, &[]),
    ("seed_example", true, &[]),
    ("readme_example", false, &[]),
    ("conformance", false, &["core/tests/conformance.txt"]),
];
/// System libraries a Rust staticlib needs on Linux.
const C_LIBS: &[&str] = &["-lpthread", "-ldl", "-lm"];

/// The cargo target directory (honours `CARGO_TARGET_DIR`).
fn target_dir(ctx: &Ctx) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| ctx.root.join("target"), PathBuf::from)
}

/// Creates `dir` (and parents).
fn make_dir(dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// `ffi-header`: regenerates the header with the pinned cbindgen into
/// `target/ffi-c/` and fails on any difference from the committed one
/// (`XTASK_BLESS=1` copies it over instead); then compiles it as C99 and
/// C++ (f64 and f32), warnings as errors.
fn ffi_header(_: &Ctx) -> Result<(), String> {
    header_job(std::env::var_os("XTASK_BLESS").is_some())
}

/// `cargo xtask header`: rewrites the committed header (the `ffi-header`
/// job with `XTASK_BLESS=1`).
pub fn header(_: &Ctx) -> Result<(), String> {
    header_job(true)
}

/// The `ffi-header` job; `bless` rewrites a stale header instead of failing.
fn header_job(bless: bool) -> Result<(), String> {
    crate::ensure::ensure_cargo_install("cbindgen", CBINDGEN_VERSION, "cbindgen")?;
    crate::ensure::ensure_apt(FFI_APT)?;
    make_dir(std::path::Path::new(FFI_OUT))?;
    let fresh = format!("{FFI_OUT}/exp_rs.h");
    crate::cmd::Cmd::new("cbindgen")
        .args([
            "--quiet",
            "--config",
            "ffi-c/cbindgen.toml",
            "--crate",
            "exp-rs-ffi",
        ])
        .args(["--output", &fresh, "ffi-c"])
        .run()?;
    let read = |p: &str| std::fs::read(p).map_err(|e| format!("cannot read {p}: {e}"));
    let (new, committed) = (read(&fresh)?, read(FFI_HEADER).unwrap_or_default());
    if new != committed {
        if bless {
            std::fs::write(FFI_HEADER, &new)
                .map_err(|e| format!("cannot write {FFI_HEADER}: {e}"))?;
            println!("[ffi-header] rewrote {FFI_HEADER}");
        } else {
            // Show the difference; `diff` exits 1 when files differ.
            let _ = crate::cmd::Cmd::new("diff")
                .args(["-u", FFI_HEADER, &fresh])
                .run();
            return Err(format!(
                "{FFI_HEADER} is stale: regenerate it with \
                 `cargo xtask header` and commit it"
            ));
        }
    } else {
        println!("[ffi-header] {FFI_HEADER} is up to date");
    }
    // The header alone, as C99 and C++11, in both precisions.
    let probe = format!("{FFI_OUT}/header_probe.c");
    std::fs::write(
        &probe,
        "#include \"exp_rs.h\"\n\
         int main(void) {\n\
         \x20   Arena *a = exp_rs_arena_new(0);\n\
         \x20   BatchBuilder *b = exp_rs_batch_builder_new_with_arena(a);\n\
         \x20   exp_rs_real x = 1;\n\
         \x20   exp_rs_status s = exp_rs_batch_builder_set_param(b, 0, x);\n\
         \x20   exp_rs_batch_builder_free(b);\n\
         \x20   exp_rs_arena_free(a);\n\
         \x20   return s == EXP_RS_STATUS_OK ? 0 : 1;\n\
         }\n",
    )
    .map_err(|e| format!("cannot write {probe}: {e}"))?;
    for (compiler, std, lang) in [("gcc", "-std=c99", "c"), ("g++", "-std=c++11", "c++")] {
        for define in ["-DEXP_RS_F64_DEFAULT", "-DEXP_RS_F32"] {
            crate::cmd::Cmd::new(compiler)
                .args([std, "-x", lang, "-fsyntax-only", "-Iffi-c/include", define])
                .args(C_WARNINGS)
                .arg(&probe)
                .run()?;
        }
    }
    Ok(())
}

/// `ffi-c`: builds the host staticlib (dev profile: `panic = "unwind"`, so
/// the panic boundary can be tested; the release profile aborts) in f64
/// and f32, and runs the C tests (API, the seed's and the README's
/// examples, the conformance table) under ASan+UBSan, then the f64 build
/// under Valgrind.
fn ffi_c(ctx: &Ctx) -> Result<(), String> {
    crate::ensure::ensure_apt(FFI_APT)?;
    extract_readme_example()?;
    for (precision, features, define) in [
        ("f64", "test-panic", None),
        ("f32", "test-panic,f32", Some("-DEXP_RS_F32")),
    ] {
        // Test builds go to their own target directory: the archive a user
        // finds at target/debug/libexp_rs_ffi.a stays the default one.
        let variant = variant_target_dir(ctx, None, features);
        cargo()
            .args(["build", "-p", "exp-rs-ffi", "--lib", "--features", features])
            .arg("--target-dir")
            .arg(&variant)
            .run()?;
        let built = variant.join("debug").join("libexp_rs_ffi.a");
        let dir = format!("{FFI_OUT}/{precision}");
        make_dir(std::path::Path::new(&dir))?;
        let lib = format!("{dir}/libexp_rs_ffi.a");
        std::fs::copy(&built, &lib)
            .map_err(|e| format!("cannot copy {} to {lib}: {e}", built.display()))?;
        let sanitize = [
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ];
        for &(test, wrap, args) in C_TESTS {
            let exe = format!("{dir}/{test}_asan");
            c_compile(test, &lib, &exe, define, wrap, &sanitize)?;
            c_run(&[&[exe.as_str()], args].concat())?;
        }
        if precision == "f64" {
            for &(test, wrap, args) in C_TESTS {
                let exe = format!("{dir}/{test}");
                c_compile(test, &lib, &exe, define, wrap, &[])?;
                let valgrind = [
                    "valgrind",
                    "-q",
                    "--error-exitcode=1",
                    "--leak-check=full",
                    "--errors-for-leak-kinds=definite,indirect",
                    &exe,
                ];
                c_run(&[&valgrind[..], args].concat())?;
            }
        }
    }
    Ok(())
}

/// Writes the README's complete example (the first C block under
/// "## A complete example") to `target/ffi-c/readme_example.c`, so the
/// C tests compile and run exactly what the README shows.
fn extract_readme_example() -> Result<(), String> {
    let readme = std::fs::read_to_string("ffi-c/README.md")
        .map_err(|e| format!("cannot read ffi-c/README.md: {e}"))?;
    let code = readme
        .split_once("## A complete example")
        .and_then(|(_, rest)| rest.split_once("```c\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(code, _)| code)
        .ok_or("ffi-c/README.md has no C block under \"## A complete example\"")?;
    make_dir(std::path::Path::new(FFI_OUT))?;
    let path = format!("{FFI_OUT}/readme_example.c");
    std::fs::write(&path, code).map_err(|e| format!("cannot write {path}: {e}"))
}

/// Compiles `<test>.c` (from `ffi-c/tests/`, or the README example from
/// `target/ffi-c/`) against `lib` into `exe`.
fn c_compile(
    test: &str,
    lib: &str,
    exe: &str,
    define: Option<&str>,
    wrap: bool,
    extra: &[&str],
) -> Result<(), String> {
    crate::cmd::Cmd::new("gcc")
        .args(["-std=c99", "-g", "-O1", "-Iffi-c/include"])
        .args(C_WARNINGS)
        .args(define)
        .args(extra)
        .arg(if test == "readme_example" {
            format!("{FFI_OUT}/{test}.c")
        } else {
            format!("ffi-c/tests/{test}.c")
        })
        .arg(lib)
        .args(wrap.then_some(WRAP_ALLOC))
        .args(C_LIBS)
        .args(["-o", exe])
        .run()
}

/// Runs a C test program (`argv[0]` first); its exit code is the verdict.
fn c_run(argv: &[&str]) -> Result<(), String> {
    crate::cmd::Cmd::new(argv[0])
        .args(&argv[1..])
        // The panic-boundary test panics on purpose: keep its report short.
        .env("RUST_BACKTRACE", "0")
        .run()
}

/// `ffi-thumb`: the staticlib for the Cortex-M7 in both precisions, and
/// what it costs in flash once linked: every API function kept
/// (`--gc-sections`, everything else dropped), and only the seed's calls.
fn ffi_thumb(ctx: &Ctx) -> Result<(), String> {
    ensure_rustup_target(THUMB)?;
    ensure_rustup_component(None, "llvm-tools")?;
    let header = std::fs::read_to_string(FFI_HEADER)
        .map_err(|e| format!("cannot read {FFI_HEADER}: {e}"))?;
    // Every `exp_rs_name(` in the header is a function of the API.
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut api: Vec<&str> = header
        .match_indices("exp_rs_")
        .filter(|&(at, _)| !header[..at].ends_with(ident))
        .filter_map(|(at, _)| {
            let rest = &header[at..];
            let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
            rest[end..].starts_with('(').then(|| &rest[..end])
        })
        .collect();
    api.sort_unstable();
    api.dedup();
    let seed = [
        "exp_rs_context_new",
        "exp_rs_arena_new",
        "exp_rs_batch_builder_new_with_arena",
        "exp_rs_batch_builder_add_expression",
        "exp_rs_batch_builder_set_param",
        "exp_rs_batch_builder_eval",
    ];
    let bin = llvm_bin_dir()?;
    for (precision, features) in [("f64", "runtime"), ("f32", "runtime,f32")] {
        let built = build_thumb_ffi(ctx, features)?;
        // The bare-metal code paths (panic handler, C allocator) only
        // compile for this target: lint them here.
        thumb_ffi_cargo(ctx, "clippy", features)
            .args(["--", "-D", "warnings"])
            .run()?;
        let dir = format!("{FFI_OUT}/{THUMB}/{precision}");
        make_dir(std::path::Path::new(&dir))?;
        let lib = format!("{dir}/libexp_rs_ffi.a");
        std::fs::copy(&built, &lib)
            .map_err(|e| format!("cannot copy {} to {lib}: {e}", built.display()))?;
        let archive = std::fs::metadata(&lib).map_or(0, |m| m.len());
        println!("[ffi-thumb] {lib}: {archive} bytes (archive, before linking)");
        for (what, keep) in [("whole API", &api[..]), ("seed calls only", &seed[..])] {
            let elf = format!("{dir}/{}.elf", what.replace(' ', "-"));
            // A partial link as a firmware would do it: malloc/free come
            // from the firmware, so unresolved symbols are allowed.
            crate::cmd::Cmd::new(bin.join("rust-lld"))
                .args([
                    "-flavor",
                    "gnu",
                    "--gc-sections",
                    "--unresolved-symbols=ignore-all",
                ])
                .args(["-e", "exp_rs_version"])
                .args(keep.iter().flat_map(|s| ["-u", s]))
                .args(["-o", &elf, &lib])
                .run()?;
            let size = crate::cmd::Cmd::new(bin.join("llvm-size"))
                .arg(&elf)
                .read()?;
            let numbers: Vec<&str> = size
                .lines()
                .nth(1)
                .map(|l| l.split_whitespace().take(3).collect())
                .unwrap_or_default();
            println!(
                "[ffi-thumb] {precision}, {what} ({} functions): text {} B, data {} B, bss {} B",
                keep.len(),
                numbers.first().unwrap_or(&"?"),
                numbers.get(1).unwrap_or(&"?"),
                numbers.get(2).unwrap_or(&"?"),
            );
        }
    }
    Ok(())
}

/// The directory of the rustup `llvm-tools` binaries of the host.
fn llvm_bin_dir() -> Result<PathBuf, String> {
    let sysroot = crate::cmd::Cmd::new("rustc")
        .args(["--print", "sysroot"])
        .read()?;
    let info = crate::cmd::Cmd::new("rustc").arg("-vV").read()?;
    let host = info
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .ok_or("no host in `rustc -vV`")?;
    Ok(PathBuf::from(sysroot.trim())
        .join("lib/rustlib")
        .join(host.trim())
        .join("bin"))
}

/// Debian packages of the Cortex-M7 smoke test.
const ARM_APT: &[&str] = &[
    "gcc-arm-none-eabi",
    "libnewlib-arm-none-eabi",
    "qemu-system-arm",
];

/// exp-rs-ffi's default features: builds with exactly these use the
/// ordinary target directory; any other set gets its own.
const FFI_DEFAULT_FEATURES: &str = "runtime";

/// The target directory for an exp-rs-ffi build with `features` (for
/// `target`, `None`: the host): the ordinary one for the default features,
/// else `target/ffi-variants/<target>-<features>`, so the archive a user
/// finds at `target/[<triple>/]<profile>/libexp_rs_ffi.a` is always the
/// default (f64) one, never a test or f32 build.
pub fn variant_target_dir(ctx: &Ctx, target: Option<&str>, features: &str) -> PathBuf {
    if features == FFI_DEFAULT_FEATURES {
        return target_dir(ctx);
    }
    target_dir(ctx).join("ffi-variants").join(format!(
        "{}-{}",
        target.unwrap_or("host"),
        features.replace(',', "-")
    ))
}

/// `cargo <subcommand>` of the exp-rs-ffi library for the Cortex-M7
/// (the `thumb` profile, `features` plus `arm-vsqrt`, the Cortex-M7
/// rustflags) into [`variant_target_dir`]. `features` is a comma list,
/// after [`NO_DEFAULT`] to leave exp-rs-ffi's default features out.
fn thumb_ffi_cargo(ctx: &Ctx, subcommand: &str, features: &str) -> Cmd {
    // `nodefault,...`: exp-rs-ffi's default features off (the demo's set).
    let (no_default, list) = match features.strip_prefix(NO_DEFAULT) {
        Some(rest) => (true, rest),
        None => (false, features),
    };
    let mut cmd = cargo().env(THUMB_RUSTFLAGS.0, THUMB_RUSTFLAGS.1).args([
        subcommand,
        "-p",
        "exp-rs-ffi",
        "--lib",
        "--profile",
        THUMB_PROFILE,
    ]);
    if no_default {
        cmd = cmd.arg("--no-default-features");
    }
    cmd.args(["--target", THUMB, "--features"])
        .arg(format!("{list},arm-vsqrt"))
        .arg("--target-dir")
        .arg(variant_target_dir(ctx, Some(THUMB), features))
}

/// Prefix of a feature list that turns exp-rs-ffi's default features off
/// (see [`DEMO_FEATURES`]).
pub const NO_DEFAULT: &str = "nodefault,";

/// The firmware demo's exp-rs-ffi features: the defaults without
/// `symbolic` (printing and derivatives, which the demo never calls; issue
/// 14 lets the firmware leave them out and report the size with them
/// beside it, see the `size` job).
pub const DEMO_FEATURES: &str = "nodefault,runtime,trig,hyperbolic,exp-log";

/// The cargo profile of the Cortex-M7 library (`Cargo.toml`: release, but
/// optimised for size; see the `size` job).
pub const THUMB_PROFILE: &str = "thumb";

/// Builds `libexp_rs_ffi.a` for the Cortex-M7 (`thumb` profile, `features`) and
/// returns where cargo put it (see [`variant_target_dir`]).
pub fn build_thumb_ffi(ctx: &Ctx, features: &str) -> Result<PathBuf, String> {
    thumb_ffi_cargo(ctx, "build", features).run()?;
    Ok(variant_target_dir(ctx, Some(THUMB), features)
        .join(THUMB)
        .join(THUMB_PROFILE)
        .join("libexp_rs_ffi.a"))
}

/// `ffi-qemu`: links the thumbv7em staticlib into a tiny C program for the
/// QEMU mps2-an500 (a Cortex-M7) and runs it: the bare-metal runtime (the
/// allocator forwarding to newlib's `malloc`, counted; the panic handler
/// reaching the C hook) and a zero-allocation loop checked against libm.
fn ffi_qemu(ctx: &Ctx) -> Result<(), String> {
    ensure_rustup_target(THUMB)?;
    crate::ensure::ensure_apt(ARM_APT)?;
    let built = build_thumb_ffi(ctx, "runtime,test-panic")?;
    let dir = format!("{FFI_OUT}/{THUMB}/smoke");
    make_dir(std::path::Path::new(&dir))?;
    let lib = format!("{dir}/libexp_rs_ffi.a");
    std::fs::copy(&built, &lib)
        .map_err(|e| format!("cannot copy {} to {lib}: {e}", built.display()))?;
    let elf = format!("{dir}/smoke.elf");
    crate::cmd::Cmd::new("arm-none-eabi-gcc")
        .args([
            "-mcpu=cortex-m7",
            "-mfpu=fpv5-d16",
            "-mfloat-abi=hard",
            "-mthumb",
        ])
        .args(["-std=c99", "-O2", "-ffunction-sections", "-fdata-sections"])
        .args(C_WARNINGS)
        .args(["-nostartfiles", "--specs=nosys.specs", "-Iffi-c/include"])
        .args(["-T", "ffi-c/tests/thumb/mps2-an500.ld"])
        .args([
            "ffi-c/tests/thumb/startup.c",
            "ffi-c/tests/thumb/smoke.c",
            &lib,
        ])
        .args([
            "-Wl,--gc-sections",
            "-Wl,--wrap=malloc,--wrap=free,--wrap=realloc",
        ])
        .args(["-Wl,--no-warn-rwx-segments", "-lm", "-o", &elf])
        .run()?;
    crate::cmd::Cmd::new("arm-none-eabi-size").arg(&elf).run()?;
    // A hang (a panic hook that returned, a lock-up) fails by the timeout.
    // The output is captured: its `bits` lines are the same-bits sample.
    let argv = [
        "120",
        "qemu-system-arm",
        "-machine",
        "mps2-an500",
        "-nographic",
        "-semihosting-config",
        "enable=on,target=native",
        "-kernel",
        &elf,
    ];
    println!("$ timeout {}", argv.join(" "));
    let out = std::process::Command::new("timeout")
        .args(argv)
        .output()
        .map_err(|e| format!("could not start qemu-system-arm: {e}"))?;
    // (Semihosting output may come on either stream.)
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{output}");
    if !out.status.success() {
        return Err(format!("the thumb smoke test failed ({})", out.status));
    }
    crate::bits::compare(&ctx.root, &output, "Cortex-M7 (QEMU)")
}
