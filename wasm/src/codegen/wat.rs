//! A WAT-like listing of a generated module (`Expression.wat()`), read back
//! from its bytes: the imports, then each function with its instructions,
//! indented by block. It decodes only what the generator writes; anything
//! else ends the listing with `;; ?` (it never panics).

use std::fmt::Write as _;

/// A cursor over the module's bytes.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn u32(&mut self) -> Option<u32> {
        let mut v: u64 = 0;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return u32::try_from(v).ok();
            }
        }
        None
    }

    fn i64(&mut self) -> Option<i64> {
        let mut v: i64 = 0;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            v |= i64::from(b & 0x7F).checked_shl(shift)?;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    v |= -1i64 << shift;
                }
                return Some(v);
            }
            if shift >= 70 {
                return None;
            }
        }
    }

    fn f64(&mut self) -> Option<f64> {
        let raw = self.bytes.get(self.at..self.at + 8)?;
        self.at += 8;
        let mut b = [0u8; 8];
        b.copy_from_slice(raw);
        Some(f64::from_le_bytes(b))
    }

    fn name(&mut self) -> Option<&str> {
        let len = self.u32()? as usize;
        let raw = self.bytes.get(self.at..self.at + len)?;
        self.at += len;
        std::str::from_utf8(raw).ok()
    }
}

fn val_type(t: u8) -> &'static str {
    match t {
        0x7F => "i32",
        0x7E => "i64",
        0x7C => "f64",
        0x7B => "v128",
        _ => "?",
    }
}

/// The listing of `module` (bytes the generator wrote).
pub(crate) fn listing(module: &[u8]) -> String {
    let mut out = String::new();
    if list(module, &mut out).is_none() {
        out.push_str(";; ?\n");
    }
    out
}

fn list(module: &[u8], out: &mut String) -> Option<()> {
    let mut r = Reader {
        bytes: module,
        at: 8,
    };
    let mut types: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    // Function index → name; type of each defined function.
    let mut names: Vec<String> = Vec::new();
    let mut defined: Vec<u32> = Vec::new();
    let mut exports: Vec<(u32, String)> = Vec::new();
    while r.at < module.len() {
        let id = r.byte()?;
        let size = r.u32()? as usize;
        let end = r.at + size;
        match id {
            1 => {
                for _ in 0..r.u32()? {
                    r.byte()?;
                    let params = (0..r.u32()?).map(|_| r.byte()).collect::<Option<_>>()?;
                    let results = (0..r.u32()?).map(|_| r.byte()).collect::<Option<_>>()?;
                    types.push((params, results));
                }
            }
            2 => {
                for _ in 0..r.u32()? {
                    let module_name = r.name()?.to_owned();
                    let field = r.name()?.to_owned();
                    match r.byte()? {
                        0x00 => {
                            let ty = r.u32()?;
                            let (p, _) = types.get(ty as usize)?;
                            let _ = writeln!(
                                out,
                                "(import \"{module_name}\" \"{field}\" (func ${module_name}.{field} ({} params)))",
                                p.len()
                            );
                            names.push(format!("${module_name}.{field}"));
                        }
                        0x02 => {
                            r.byte()?;
                            r.u32()?;
                            let _ =
                                writeln!(out, "(import \"{module_name}\" \"{field}\" (memory))");
                        }
                        _ => return None,
                    }
                }
            }
            3 => {
                for _ in 0..r.u32()? {
                    defined.push(r.u32()?);
                }
            }
            7 => {
                for _ in 0..r.u32()? {
                    let name = r.name()?.to_owned();
                    let kind = r.byte()?;
                    let index = r.u32()?;
                    if kind == 0 {
                        exports.push((index, name));
                    }
                }
            }
            10 => {
                r.u32()?; // the body count: one per defined function
                let imported = names.len() as u32;
                for (i, _) in defined.iter().enumerate() {
                    let index = imported + i as u32;
                    let name = exports
                        .iter()
                        .find(|e| e.0 == index)
                        .map_or(format!("$fn{index}"), |e| format!("${}", e.1));
                    names.push(name);
                }
                for (i, &ty) in defined.iter().enumerate() {
                    r.u32()?;
                    function(
                        &mut r,
                        out,
                        &names,
                        imported as usize + i,
                        types.get(ty as usize)?,
                    )?;
                }
            }
            _ => {}
        }
        r.at = end;
    }
    Some(())
}

/// One function body.
fn function(
    r: &mut Reader<'_>,
    out: &mut String,
    names: &[String],
    index: usize,
    (params, results): &(Vec<u8>, Vec<u8>),
) -> Option<()> {
    let _ = write!(out, "(func {}", names.get(index)?);
    for p in params {
        let _ = write!(out, " (param {})", val_type(*p));
    }
    for p in results {
        let _ = write!(out, " (result {})", val_type(*p));
    }
    out.push('\n');
    for _ in 0..r.u32()? {
        let count = r.u32()?;
        let ty = r.byte()?;
        let _ = writeln!(out, "  (local {} × {count})", val_type(ty));
    }
    let mut depth = 1usize;
    loop {
        let op = r.byte()?;
        if op == 0x0B {
            depth -= 1;
            if depth == 0 {
                out.push_str(")\n");
                return Some(());
            }
        }
        let indent = "  ".repeat(depth);
        let text = match op {
            0x02..=0x04 => {
                r.byte()?;
                depth += 1;
                ["", "", "block", "loop", "if"][op as usize].to_owned()
            }
            0x0B => "end".to_owned(),
            0x0C => format!("br {}", r.u32()?),
            0x0D => format!("br_if {}", r.u32()?),
            0x0F => "return".to_owned(),
            0x10 => {
                let f = r.u32()? as usize;
                format!("call {}", names.get(f).map_or("?", String::as_str))
            }
            0x20 => format!("local.get {}", r.u32()?),
            0x21 => format!("local.set {}", r.u32()?),
            0x22 => format!("local.tee {}", r.u32()?),
            0x23 => format!("global.get {}", r.u32()?),
            0x24 => format!("global.set {}", r.u32()?),
            0x2B | 0x39 => {
                r.u32()?;
                let offset = r.u32()?;
                let what = if op == 0x2B { "f64.load" } else { "f64.store" };
                format!("{what} offset={offset}")
            }
            0x41 => format!("i32.const {}", r.i64()?),
            0x42 => format!("i64.const {}", r.i64()?),
            0x44 => format!("f64.const {}", exp_rs::decimal::Plain(r.f64()?)),
            0xFC => match r.u32()? {
                3 => "i32.trunc_sat_f64_u".to_owned(),
                _ => return None,
            },
            0xFD => vector(r)?,
            _ => simple(op)?.to_owned(),
        };
        let _ = writeln!(out, "{indent}{text}");
    }
}

/// A SIMD instruction (after its `0xFD` prefix).
fn vector(r: &mut Reader<'_>) -> Option<String> {
    Some(match r.u32()? {
        o @ (0x00 | 0x0B) => {
            r.u32()?;
            let offset = r.u32()?;
            let what = if o == 0 { "v128.load" } else { "v128.store" };
            format!("{what} offset={offset}")
        }
        0x0C => {
            let (a, b) = (r.f64()?, r.f64()?);
            format!(
                "v128.const f64x2 {} {}",
                exp_rs::decimal::Plain(a),
                exp_rs::decimal::Plain(b)
            )
        }
        o => match o {
            0x74 => "f64x2.ceil",
            0x75 => "f64x2.floor",
            0x7A => "f64x2.trunc",
            0xEC => "f64x2.abs",
            0xED => "f64x2.neg",
            0xEF => "f64x2.sqrt",
            0xF0 => "f64x2.add",
            0xF1 => "f64x2.sub",
            0xF2 => "f64x2.mul",
            0xF3 => "f64x2.div",
            _ => return None,
        }
        .to_owned(),
    })
}

/// Instructions without immediates.
fn simple(op: u8) -> Option<&'static str> {
    Some(match op {
        0x1B => "select",
        0x45 => "i32.eqz",
        0x49 => "i32.lt_u",
        0x4B => "i32.gt_u",
        0x4F => "i32.ge_u",
        0x53 => "i64.lt_s",
        0x61 => "f64.eq",
        0x62 => "f64.ne",
        0x63 => "f64.lt",
        0x64 => "f64.gt",
        0x65 => "f64.le",
        0x66 => "f64.ge",
        0x6A => "i32.add",
        0x6B => "i32.sub",
        0x71 => "i32.and",
        0x72 => "i32.or",
        0x74 => "i32.shl",
        0x76 => "i32.shr_u",
        0x7D => "i64.sub",
        0x99 => "f64.abs",
        0x9A => "f64.neg",
        0x9B => "f64.ceil",
        0x9C => "f64.floor",
        0x9D => "f64.trunc",
        0x9F => "f64.sqrt",
        0xA0 => "f64.add",
        0xA1 => "f64.sub",
        0xA2 => "f64.mul",
        0xA3 => "f64.div",
        0xB8 => "f64.convert_i32_u",
        _ => return None,
    })
}
