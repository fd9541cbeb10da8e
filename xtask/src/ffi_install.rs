//! The C library as users install it (issue 15): a program compiled for one
//! precision must not link against the archive of the other (`ffi-link`).

use std::path::PathBuf;

use crate::cmd::{Cmd, cargo};
use crate::ensure::{ensure_apt, ensure_rustup_target};
use crate::jobs::{Ctx, THUMB, build_thumb_ffi};

/// The test program (see its comment).
const PROGRAM: &str = "ffi-c/tests/abi_link.c";
/// Where the programs go.
const OUT: &str = "target/ffi-c/abi-link";

/// Host compile-and-link flag sets: unoptimised, optimised, with unused
/// sections dropped (as firmware links), and with LTO.
const HOST_FLAGS: &[&[&str]] = &[
    &["-O0"],
    &["-O2"],
    &[
        "-O2",
        "-ffunction-sections",
        "-fdata-sections",
        "-Wl,--gc-sections",
    ],
    &["-Os", "-flto"],
];

/// The Cortex-M7 link, as `ffi-qemu` and firmware do it (gc-sections).
const THUMB_FLAGS: &[&str] = &[
    "-mcpu=cortex-m7",
    "-mfpu=fpv5-d16",
    "-mfloat-abi=hard",
    "-mthumb",
    "-O2",
    "-ffunction-sections",
    "-fdata-sections",
    "-Wl,--gc-sections",
    "--specs=nosys.specs",
];

/// `ffi-link` job: the default (f64) and the f32 archive, for the host and
/// for the Cortex-M7; [`PROGRAM`] compiled in each precision and linked
/// against each. Matching pairs must link (and, on the host, run and print
/// the right result); mismatched pairs must fail to link, naming the
/// missing `exp_rs_abi_v1_<precision>`. Also checks that the archive at
/// `target/release/libexp_rs_ffi.a` is the f64 one, and builds and runs
/// the program with the flags of `ffi-c/pkgconfig/exp-rs{,-f32}.pc`.
pub fn ffi_link(ctx: &Ctx) -> Result<(), String> {
    ensure_apt(&["gcc", "pkgconf"])?;
    std::fs::create_dir_all(OUT).map_err(|e| format!("{OUT}: {e}"))?;
    // The host archives where ffi-c/pkgconfig/*.pc (and the README) put
    // them: the default release build, and f32 in its own target directory.
    let target = ctx.root.join("target");
    let mut host = Vec::new();
    for (features, dir) in [("runtime", target.clone()), ("f32", target.join("f32"))] {
        cargo()
            .args(["build", "-p", "exp-rs-ffi", "--lib", "--release"])
            .args(["--features", features])
            .arg("--target-dir")
            .arg(&dir)
            .run()?;
        host.push(dir.join("release").join("libexp_rs_ffi.a"));
    }
    // readelf, not nm: binutils' nm skips a member of Rust's archives.
    let nm = Cmd::new("readelf").arg("-sW").arg(&host[0]).read()?;
    if !nm.contains("exp_rs_abi_v1_f64") || nm.contains("exp_rs_abi_v1_f32") {
        return Err(format!("{} is not the f64 archive", host[0].display()));
    }
    let mut checked = 0;
    for flags in HOST_FLAGS {
        checked += matrix("gcc", flags, &host, true)?;
    }
    checked += pkg_config(ctx)?;
    ensure_rustup_target(THUMB)?;
    ensure_apt(&["gcc-arm-none-eabi", "libnewlib-arm-none-eabi"])?;
    let thumb = vec![
        build_thumb_ffi(ctx, "runtime")?,
        build_thumb_ffi(ctx, "runtime,f32")?,
    ];
    checked += matrix("arm-none-eabi-gcc", THUMB_FLAGS, &thumb, false)?;
    println!(
        "[ffi-link] {checked} links checked: matching precisions link, mismatched ones do not"
    );
    Ok(())
}

/// Links [`PROGRAM`] in both precisions against `archives` (f64, f32) with
/// `compiler` and `flags`; runs the matching ones when `run`. Returns the
/// number of links checked.
fn matrix(
    compiler: &str,
    flags: &[&str],
    archives: &[PathBuf],
    run: bool,
) -> Result<usize, String> {
    let mut n = 0;
    for (program, define) in [("f64", None), ("f32", Some("-DEXP_RS_F32"))] {
        for (archive, lib) in ["f64", "f32"].iter().zip(archives) {
            let exe = format!(
                "{OUT}/{compiler}-{}-{program}-on-{archive}",
                flags.join("").replace(['-', '=', ','], "")
            );
            let link = Cmd::new(compiler)
                .args([
                    "-std=c99",
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                    "-pedantic",
                    "-Iffi-c/include",
                ])
                .args(define)
                .args(flags)
                .arg(PROGRAM)
                .arg(lib)
                .args(if run {
                    &["-lpthread", "-ldl", "-lm"][..]
                } else {
                    &["-lm"][..]
                })
                .args(["-o", &exe]);
            let result = link.read();
            n += 1;
            if program == *archive {
                result.map_err(|e| format!("a matching link failed: {e}"))?;
                if run {
                    Cmd::new(&exe).run()?;
                }
            } else {
                let symbol = format!("exp_rs_abi_v1_{program}");
                match result {
                    Ok(_) => {
                        return Err(format!(
                            "a {program} program linked against the {archive} archive: `{link}`"
                        ));
                    }
                    Err(e) if e.contains(&symbol) => {
                        println!(
                            "[ffi-link] {program} program, {archive} archive, {}: no link (undefined {symbol})",
                            flags.join(" ")
                        );
                    }
                    Err(e) => {
                        return Err(format!(
                            "the mismatched link failed, but not on {symbol}: {e}"
                        ));
                    }
                }
            }
        }
    }
    Ok(n)
}

/// `cmake` job: `ffi-c/cmake/example/` (the `abi_link.c` program through
/// `ffi-c/cmake/ExpRs.cmake`) configured and built for the host in f64 and
/// f32 (and run), and for the Cortex-M7 with `arm-none-eabi.cmake`
/// (linked, sized). Then a Rust source's time stamp changes and the host
/// build must re-run cargo and relink.
pub fn cmake(ctx: &Ctx) -> Result<(), String> {
    ensure_apt(&["cmake", "make", "gcc"])?;
    let root = &ctx.root;
    let example = root.join("ffi-c").join("cmake").join("example");
    let build = root.join("target").join("cmake");
    let configure = |name: &str, defines: &[&str]| -> Result<PathBuf, String> {
        let dir = build.join(name);
        Cmd::new("cmake")
            .arg("-S")
            .arg(&example)
            .arg("-B")
            .arg(&dir)
            .args(defines)
            .run()?;
        Cmd::new("cmake").arg("--build").arg(&dir).run()?;
        Ok(dir)
    };
    // The host, in both precisions (dev profile: quicker to build).
    let host = configure("host-f64", &["-DEXP_RS_PROFILE=dev"])?;
    Cmd::new(host.join("example")).run()?;
    let f32 = configure("host-f32", &["-DEXP_RS_PROFILE=dev", "-DEXP_RS_F32=ON"])?;
    Cmd::new(f32.join("example")).run()?;
    // A Rust source changes (its time stamp, as an editor's save would):
    // the next build must rebuild the archive and relink.
    let exe = host.join("example");
    let before = mtime(&exe)?;
    let source = root.join("ffi-c").join("src").join("lib.rs");
    let text = std::fs::read(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    std::fs::write(&source, text).map_err(|e| format!("{}: {e}", source.display()))?;
    Cmd::new("cmake").arg("--build").arg(&host).run()?;
    if mtime(&exe)? <= before {
        return Err(format!(
            "{} was not relinked after {} changed: the CMake recipe did not re-run cargo",
            exe.display(),
            source.display()
        ));
    }
    Cmd::new(&exe).run()?;
    println!("[cmake] a changed Rust source re-ran cargo and relinked the host program");
    // The Cortex-M7.
    ensure_rustup_target(THUMB)?;
    ensure_apt(&["gcc-arm-none-eabi", "libnewlib-arm-none-eabi"])?;
    let toolchain = root.join("ffi-c").join("cmake").join("arm-none-eabi.cmake");
    let thumb = configure(
        "cortex-m7",
        &[
            &format!("-DCMAKE_TOOLCHAIN_FILE={}", toolchain.display()),
            &format!("-DEXP_RS_RUST_TARGET={THUMB}"),
        ],
    )?;
    Cmd::new("arm-none-eabi-size")
        .arg(thumb.join("example"))
        .run()
}

/// The modification time of `path`.
fn mtime(path: &std::path::Path) -> Result<std::time::SystemTime, String> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// [`PROGRAM`] built with `pkg-config --cflags --libs --static` of
/// `ffi-c/pkgconfig/exp-rs.pc` and `exp-rs-f32.pc` (their `Version` must be
/// the workspace's), then run. Returns the number of programs built.
fn pkg_config(ctx: &Ctx) -> Result<usize, String> {
    let dir = ctx.root.join("ffi-c").join("pkgconfig");
    let version = crate::wasm::workspace_version(&ctx.root)?;
    for name in ["exp-rs", "exp-rs-f32"] {
        let pc = dir.join(format!("{name}.pc"));
        let text = std::fs::read_to_string(&pc).map_err(|e| format!("{}: {e}", pc.display()))?;
        if !text.lines().any(|l| l == format!("Version: {version}")) {
            return Err(format!("{}: `Version:` is not {version}", pc.display()));
        }
        let flags = Cmd::new("pkg-config")
            .env("PKG_CONFIG_PATH", &dir)
            .args(["--cflags", "--libs", "--static", name])
            .read()?;
        let exe = format!("{OUT}/pkg-config-{name}");
        Cmd::new("gcc")
            .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"])
            .arg(PROGRAM)
            .args(flags.split_whitespace())
            .args(["-o", &exe])
            .run()?;
        Cmd::new(&exe).run()?;
    }
    Ok(2)
}
