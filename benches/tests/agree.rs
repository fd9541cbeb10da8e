//! Before anything is timed, every library must compute the same value as
//! exp-rs (and as the native Rust formula) on every case, at several points.
//! `cargo xtask test` runs this (the benches' quick mode).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use exp_rs_benches::firmware::Tick;
use exp_rs_benches::{CASES, HAS_TINYEXPR, Lib, TINYEXPR_NOTE, compile};

/// The points: the case's sample values, then nudged ones like the bench's.
fn points(at: &[f64]) -> Vec<Vec<f64>> {
    (0..5)
        .map(|k| at.iter().map(|v| v * (1.0 + 0.01 * k as f64)).collect())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_library_agrees_with_exp_rs_on_every_case() {
    if !HAS_TINYEXPR {
        eprintln!("{TINYEXPR_NOTE}");
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in CASES {
        let mut reference = compile(Lib::ExpRs, case).unwrap();
        for lib in Lib::ALL {
            if lib == Lib::Tinyexpr && !HAS_TINYEXPR {
                continue;
            }
            let mut peer = match compile(lib, case) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!(
                        "{} cannot compile `{}`: {e}",
                        lib.name(),
                        case.source_for(lib)
                    ));
                    continue;
                }
            };
            for p in points(case.at) {
                let (want, got) = (reference.eval(&p), peer.eval(&p));
                checked += 1;
                if !close(want, got) {
                    failures.push(format!(
                        "{} `{}` at {p:?}: {got} but exp-rs says {want}",
                        lib.name(),
                        case.source_for(lib)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= CASES.len() * 5 * 6, "only {checked} comparisons");
}

/// The firmware tick ([`Tick`]) computes the same as exp-rs's `Batch` in
/// every library the tick benches time, so the batch rows compare equal
/// work.
#[test]
fn every_firmware_tick_agrees_with_the_batch() {
    let mut reference = Tick::new(Lib::ExpRs);
    let mut checked = 0;
    for lib in Lib::ALL {
        if lib == Lib::ExpRs || (lib == Lib::Tinyexpr && !HAS_TINYEXPR) {
            continue;
        }
        let mut tick = Tick::new(lib);
        for k in [0, 1, 512, 1023, 1024] {
            let (want, got) = (reference.run(k), tick.run(k));
            assert!(
                close(want, got),
                "{} tick {k}: {got} but the batch says {want}",
                lib.name()
            );
            checked += 1;
        }
    }
    assert!(checked >= 5 * 5, "only {checked} comparisons");
}
