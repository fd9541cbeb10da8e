//! The same-bits sample (issue 16): `ffi-c/tests/thumb/bits_sample.h`
//! lists expressions over `u` and `v`; the Cortex-M7 build in QEMU (the
//! `ffi-qemu` job) and the npm package (the `node` job) hash the bits of
//! their results at fixed points, and both must equal the host's hashes,
//! computed here with the same core.

use std::fs;
use std::path::Path;

use exp_rs::bumpalo::Bump;
use exp_rs::{Context, Expr};

/// The header holding the sample.
pub const HEADER: &str = "ffi-c/tests/thumb/bits_sample.h";

/// The sample: expressions, points, seed.
pub struct Sample {
    /// The expressions, in order.
    pub exprs: Vec<String>,
    /// Points (u, v) evaluated.
    pub samples: usize,
    /// xorshift64 seed.
    pub seed: u64,
}

/// Reads the sample from [`HEADER`].
pub fn read(root: &Path) -> Result<Sample, String> {
    let path = root.join(HEADER);
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let define = |name: &str| -> Result<String, String> {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
            .map(|v| v.trim().trim_end_matches("ull").to_owned())
            .ok_or_else(|| format!("{HEADER}: no #define {name}"))
    };
    let samples = define("BITS_SAMPLES")?
        .parse()
        .map_err(|e| format!("{HEADER}: BITS_SAMPLES: {e}"))?;
    let seed_text = define("BITS_SEED")?;
    let seed = u64::from_str_radix(seed_text.trim_start_matches("0x"), 16)
        .map_err(|e| format!("{HEADER}: BITS_SEED: {e}"))?;
    let body = text
        .split_once("bits_exprs[] = {")
        .and_then(|(_, rest)| rest.split_once("};"))
        .map(|(body, _)| body)
        .ok_or_else(|| format!("{HEADER}: no bits_exprs array"))?;
    let exprs = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.strip_suffix(',')
                .unwrap_or(l)
                .trim_matches('"')
                .to_owned()
        })
        .collect();
    Ok(Sample {
        exprs,
        samples,
        seed,
    })
}

/// The points (u, v) of the sample, as smoke.c draws them.
pub fn points(sample: &Sample) -> Vec<[f64; 2]> {
    let mut s = sample.seed;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        #[allow(clippy::cast_precision_loss)]
        let v = (s >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0);
        v
    };
    (0..sample.samples).map(|_| [next(), next()]).collect()
}

/// FNV-1a over the little-endian bytes of each result's bits, per
/// expression, computed on the host in f64.
pub fn host_hashes(sample: &Sample) -> Result<Vec<u64>, String> {
    let ctx = Context::<f64>::new();
    let points = points(sample);
    let mut out = Vec::new();
    for src in &sample.exprs {
        let arena = Bump::new();
        let expr =
            Expr::compile(src, &["u", "v"], &ctx, &arena).map_err(|e| format!("`{src}`: {e}"))?;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for p in &points {
            let r = expr.eval(p).map_err(|e| format!("`{src}`: {e}"))?;
            for byte in r.to_bits().to_le_bytes() {
                h ^= u64::from(byte);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        out.push(h);
    }
    Ok(out)
}

/// Compares `bits I HASH` lines in `output` with the host's hashes.
pub fn compare(root: &Path, output: &str, who: &str) -> Result<(), String> {
    let sample = read(root)?;
    let host = host_hashes(&sample)?;
    let mut seen = 0;
    let mut wrong = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("bits ") else {
            continue;
        };
        let mut f = rest.split_whitespace();
        let (Some(i), Some(h)) = (f.next(), f.next()) else {
            return Err(format!("{who}: bad line `{line}`"));
        };
        let i: usize = i.parse().map_err(|_| format!("{who}: bad line `{line}`"))?;
        let h = u64::from_str_radix(h, 16).map_err(|_| format!("{who}: bad line `{line}`"))?;
        seen += 1;
        if host.get(i) != Some(&h) {
            wrong.push(format!(
                "`{}`: {who} {h:016x}, host {:016x}",
                sample.exprs.get(i).map_or("?", |s| s.as_str()),
                host.get(i).copied().unwrap_or(0)
            ));
        }
    }
    if seen != host.len() {
        return Err(format!(
            "{who} reported {seen} of the sample's {} expressions",
            host.len()
        ));
    }
    if !wrong.is_empty() {
        return Err(format!(
            "{who} and the host differ on {} of {} expressions:\n{}",
            wrong.len(),
            host.len(),
            wrong.join("\n")
        ));
    }
    println!(
        "[bits] {who}: the same bits as the host on all {} expressions × {} points",
        host.len(),
        sample.samples
    );
    Ok(())
}
