//! Builds the C tinyexpr when its sources are in `target/tinyexpr/` (put
//! there by `cargo xtask bench`/`test` from PyPI's `tinex==0.3.1` sdist; never
//! committed). Without them the tinyexpr rows are skipped, with the reason.
use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_tinyexpr)");
    println!("cargo::rerun-if-env-changed=EXP_RS_TINYEXPR_DIR");
    let dir = std::env::var_os("EXP_RS_TINYEXPR_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tinyexpr"));
    let source = dir.join("tinyexpr.c");
    println!("cargo::rerun-if-changed={}", source.display());
    if source.exists() {
        // The same flags its own benchmark uses; -O3 like our release build.
        cc::Build::new()
            .file(&source)
            .include(&dir)
            .opt_level(3)
            .warnings(false)
            .compile("tinyexpr");
        println!("cargo::rustc-cfg=has_tinyexpr");
        println!(
            "cargo::rustc-env=EXP_RS_TINYEXPR_NOTE=built from {}",
            source.display()
        );
    } else {
        println!(
            "cargo::rustc-env=EXP_RS_TINYEXPR_NOTE=tinyexpr skipped: {} not found (run `cargo xtask bench`, which fetches it from PyPI)",
            source.display()
        );
    }
}
