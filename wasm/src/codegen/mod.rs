//! The code-generation tier: a compiled program, read through core's
//! [`exp_rs::inspect`] view, as a small WebAssembly module (bytes), which
//! the JS layer (`npm/tier.js`) instantiates.
//!
//! The module imports the main module's memory and the built-in math
//! functions from the main module's own exports (`exprs_math_*` in
//! [`math`]), so both tiers compute the same bits. It exports:
//!
//! | export | what |
//! |---|---|
//! | `f` | one point: `f(x0, x1, …) -> f64` (one f64 per parameter) |
//! | `m` | one point, the values read from the expression's row buffer |
//! | `b` | a batch: `b(len) -> rows done`, columns and results in the expression's buffers |
//! | `s` | `s() -> i32`: 0, or the error code of the evaluation that failed (and clears it) |
//! | `p` | `p() -> i32`: the failing instruction's index (-1: the whole expression) |
//! | `e` | `e(code)`: sets the status (a failing native function's wrapper calls it) |
//!
//! A failing point returns NaN with the status set; the JS side asks `s`
//! only when the result is NaN. The globals themselves are not exported:
//! a module's own globals are the cheapest to touch in the batch loop. Generated code never traps: no `unreachable`,
//! saturating float-to-int conversion, bounds-checked array reads, calls
//! nested no deeper than [`MAX_DEPTH`]. Native JS functions are imported
//! (`n` `<id>_<argc>`): the JS layer wraps each so that a throw or a
//! non-number sets `s` to `Callback` instead, which the code checks after
//! the call. They are the only calls into JS.

mod body;
mod encode;
pub(crate) mod math;
mod simd;
mod wat;

pub(crate) use wat::listing;

use core::sync::atomic::{AtomicBool, Ordering};

use exp_rs::Program;
use exp_rs::inspect::{EvalLimits, Instruction, Operand};

use body::{Block, Mode, body};
use encode::{Bytes, F64, I32, I64, op};

/// Whether generated modules may use 128-bit SIMD (the JS layer turns it
/// on once it found that the runtime validates a SIMD module).
static SIMD: AtomicBool = AtomicBool::new(false);

/// Allows (or forbids) SIMD in the modules generated from now on.
pub(crate) fn set_simd(on: bool) {
    SIMD.store(on, Ordering::Relaxed);
}

/// Whether generated modules may use SIMD ([`set_simd`]).
pub(crate) fn simd() -> bool {
    SIMD.load(Ordering::Relaxed)
}

/// Why a program stays on the interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsupported(pub(crate) &'static str);

/// The deepest chain of expression-function calls a generated module may
/// make: each is a wasm call, and the wasm stack must never overflow.
pub(crate) const MAX_DEPTH: u32 = 2048;

/// The longest main code (bytes) the batch loop carries inline; a longer
/// one is called once per row.
const INLINE_MAX: usize = 320;

/// The longest SIMD code (bytes) the batch loop carries: a module stays
/// far below the 4 KB a browser compiles synchronously.
const VECTOR_MAX: usize = 1536;

/// Bytes of wasm stack the deepest chain of expression-function calls may
/// take (estimated per frame), so generated code cannot overflow it.
const STACK_BUDGET: u64 = 384 * 1024;

/// Where the expression's buffers are in the main module's memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    /// One value per parameter (export `m` reads it).
    pub(crate) row: u32,
    /// `chunk` values per parameter, column after column (export `b`).
    pub(crate) columns: u32,
    /// `chunk` results (export `b` writes them).
    pub(crate) results: u32,
    /// Rows per batch call.
    pub(crate) chunk: u32,
    /// The runtime has 128-bit SIMD: the batch loop may run straight
    /// arithmetic two rows at a time ([`simd`]).
    pub(crate) simd: bool,
}

/// The module's globals, by index.
pub(super) struct Globals;

impl Globals {
    pub(super) const STATUS: u32 = 0;
    pub(super) const ERRPC: u32 = 1;
    pub(super) const REM: u32 = 2;
    pub(super) const DEPTH: u32 = 3;
    pub(super) const CALLS: u32 = 4;
    pub(super) const ENTRY: u32 = 5;
}

/// What the function bodies need while they are written.
pub(super) struct Module<'p, 'a> {
    pub(super) program: &'p Program<'a, f64>,
    /// Values a point takes.
    pub(super) params: u32,
    pub(super) limits: EvalLimits,
    /// Calls nest at most this deep (as the interpreter's frames).
    pub(super) depth_cap: u32,
    /// The parameter count of each expression function.
    pub(super) arities: Vec<u32>,
    /// Imported math functions: name and argument count, in import order.
    imports: Vec<(&'static str, u32)>,
    /// The program's natives, by name, in id order.
    natives: Vec<&'p str>,
    /// Imported native JS functions: native id and argument count (a
    /// variadic one is imported once per count it is called with), after
    /// the math imports.
    native_imports: Vec<(u32, u32)>,
}

impl Module<'_, '_> {
    /// The function index of imported built-in `name` (every import was
    /// found by [`imports`] before the bodies are written).
    pub(super) fn import(&self, name: &str) -> Result<u32, Unsupported> {
        self.imports
            .iter()
            .position(|i| i.0 == name)
            .map(|i| i as u32)
            .ok_or(Unsupported("a built-in the generator does not know"))
    }

    /// The function index of the import of native `name` called with
    /// `argc` arguments.
    pub(super) fn native(&self, name: &str, argc: u32) -> Result<u32, Unsupported> {
        let id = self.natives.iter().position(|n| *n == name);
        self.native_imports
            .iter()
            .position(|&(i, a)| Some(i as usize) == id && a == argc)
            .map(|i| (self.imports.len() + i) as u32)
            .ok_or(Unsupported("an unknown native function"))
    }

    /// The function index of the main code (after the imports).
    fn main_index(&self) -> u32 {
        (self.imports.len() + self.native_imports.len()) as u32
    }

    /// The function index of expression function `index`: main, then the
    /// expression functions, then `m` and `b`.
    pub(super) fn function_index(&self, index: u32) -> u32 {
        self.main_index() + 1 + index
    }
}

/// The natives the program calls: (id, argument count), each once.
fn native_imports(
    insns: &[Instruction<'_, f64>],
    natives: &[&str],
) -> Result<Vec<(u32, u32)>, Unsupported> {
    let mut out = Vec::new();
    for insn in insns {
        if let Some(Operand::Native { name, argc }) = insn.operands().next() {
            let id = natives
                .iter()
                .position(|n| *n == name)
                .ok_or(Unsupported("an unknown native function"))? as u32;
            if !out.contains(&(id, argc)) {
                out.push((id, argc));
            }
        }
    }
    Ok(out)
}

/// The math functions the program calls (each once, in first-use order),
/// with their argument counts.
fn imports(insns: &[Instruction<'_, f64>]) -> Result<Vec<(&'static str, u32)>, Unsupported> {
    let mut out: Vec<(&'static str, u32)> = Vec::new();
    for insn in insns {
        let name = match insn.opcode {
            "%" => "fmod",
            "^" => "pow",
            "call" => match insn.operands().next() {
                Some(Operand::Builtin(name)) => name,
                _ => continue,
            },
            _ => continue,
        };
        if math::instruction(name).is_some() {
            continue;
        }
        let known = math::NAMES
            .iter()
            .find(|n| n.0 == name)
            .ok_or(Unsupported("a built-in the generator does not know"))?;
        if !out.iter().any(|o| o.0 == name) {
            out.push((known.0, known.1));
        }
    }
    Ok(out)
}

/// The WebAssembly module for `program`, which takes `params` values per
/// point; `layout` says where its buffers are.
pub(crate) fn generate(
    program: &Program<'_, f64>,
    params: u32,
    layout: Layout,
) -> Result<Vec<u8>, Unsupported> {
    let depth_cap = (program.call_depth() as u32).min(program.limits().max_calls);
    if depth_cap > MAX_DEPTH {
        return Err(Unsupported(
            "calls may nest deeper than the wasm stack allows",
        ));
    }
    let insns: Vec<Instruction<'_, f64>> = program.instructions().collect();
    let functions: Vec<_> = program.functions().collect();
    let natives: Vec<&str> = program.natives().collect();
    let m = Module {
        native_imports: native_imports(&insns, &natives)?,
        natives,
        program,
        params,
        limits: program.limits(),
        depth_cap,
        arities: functions.iter().map(|f| f.params.len() as u32).collect(),
        imports: imports(&insns)?,
    };
    let entries: Vec<usize> = functions.iter().map(|f| f.entry as usize).collect();
    let main_end = entries.first().copied().unwrap_or(insns.len());
    let main_block = Block {
        start: 0,
        end: main_end,
        arity: None,
    };
    let (main, _) = body(&m, &insns, &main_block, Mode::Function)?;
    let mut bodies = vec![main];
    let mut frame = 0;
    for (i, &start) in entries.iter().enumerate() {
        let end = entries.get(i + 1).copied().unwrap_or(insns.len());
        let (code, values) = body(
            &m,
            &insns,
            &Block {
                start,
                end,
                arity: Some(m.arities[i]),
            },
            Mode::Function,
        )?;
        bodies.push(code);
        frame = frame.max(values);
    }
    // Calls nest up to `depth_cap` frames of at most `frame` values each
    // (plus the engine's own bookkeeping): keep that far below the
    // smallest stack an engine gives wasm (about 1 MB).
    if u64::from(depth_cap) * (128 + 8 * u64::from(frame)) > STACK_BUDGET {
        return Err(Unsupported(
            "calls may nest deeper than the wasm stack allows",
        ));
    }
    bodies.push(point_from_row(&m, layout));
    bodies.push(batch(&m, &insns, &main_block, layout)?);
    bodies.push(take_status());
    bodies.push(global_getter(Globals::ERRPC));
    bodies.push(set_status());
    Ok(assemble(&m, &bodies))
}

/// Export `m`: reads the values from the row buffer, calls `f`.
fn point_from_row(m: &Module<'_, '_>, layout: Layout) -> Vec<u8> {
    let mut b = Bytes::default();
    b.u32(0);
    for j in 0..m.params {
        b.byte(op::I32_CONST).i64(0);
        b.byte(op::F64_LOAD).u32(3).u32(layout.row + 8 * j);
    }
    b.byte(op::CALL).u32(m.main_index());
    b.byte(op::END);
    b.0
}

/// Export `s`: the status, cleared.
fn take_status() -> Vec<u8> {
    let mut b = Bytes::default();
    b.u32(0);
    b.byte(op::GLOBAL_GET).u32(Globals::STATUS);
    b.byte(op::I32_CONST)
        .i64(0)
        .byte(op::GLOBAL_SET)
        .u32(Globals::STATUS);
    b.byte(op::END);
    b.0
}

/// Export `p`: a global's value.
fn global_getter(global: u32) -> Vec<u8> {
    let mut b = Bytes::default();
    b.u32(0);
    b.byte(op::GLOBAL_GET).u32(global);
    b.byte(op::END);
    b.0
}

/// Export `e`: sets the status.
fn set_status() -> Vec<u8> {
    let mut b = Bytes::default();
    b.u32(0);
    b.byte(op::LOCAL_GET)
        .u32(0)
        .byte(op::GLOBAL_SET)
        .u32(Globals::STATUS);
    b.byte(op::END);
    b.0
}

/// Export `b`: `len` points (at most `chunk`) from the column buffers
/// into the results buffer; returns `len`, or the index of the failing
/// point (with `s` set).
///
/// Straight arithmetic runs two rows at a time ([`simd`]); other main code
/// is inlined into the loop (no call per point, no status check per point:
/// an error returns from `b` where it happens), unless it calls functions
/// or is long, when `f` is called per row and its NaN result checked. `at`
/// steps through the rows' byte offsets; each column's and the results'
/// base address is the load's or store's constant offset.
fn batch(
    m: &Module<'_, '_>,
    insns: &[Instruction<'_, f64>],
    main: &Block,
    layout: Layout,
) -> Result<Vec<u8>, Unsupported> {
    // Locals: 0 = len, 1 = at, 2 = end, 3 = pairs (the byte offset where
    // the rows two at a time end), then the main code's f64 values, then
    // the SIMD code's v128 values.
    let (len, at, end, pairs, base) = (0, 1, 2, 3, 4);
    // Straight arithmetic runs two rows at a time; the odd last row of a
    // chunk then calls `f` (it cannot fail: no copy of the code needed).
    // Any other main code is inlined, unless it calls functions (it then
    // spends its time in them) or is long: a call per row costs little
    // there, and a copy of the code would double the module's size and
    // its compile time.
    let calls = insns[main.start..main.end]
        .iter()
        .any(|i| matches!(i.opcode, "call" | "native" | "%" | "^") && !inline_math(i));
    let vector = if layout.simd && !calls {
        simd::body(m, insns, main, base + 1).filter(|v| v.0.len() <= VECTOR_MAX)
    } else {
        None
    };
    let inline = if vector.is_none() && !calls {
        body(m, insns, main, Mode::Inline { base, at }).ok()
    } else {
        None
    };
    let (code, values) = match inline {
        Some((code, values)) if code.len() <= INLINE_MAX => (Some(code), values),
        // One f64 local: the result, checked for NaN.
        _ => (None, 1),
    };
    let mut b = Bytes::default();
    let vlocals = vector.as_ref().map_or(0, |v| v.1);
    b.u32(if vlocals > 0 { 3 } else { 2 });
    b.u32(3).byte(I32).u32(values).byte(F64);
    if vlocals > 0 {
        b.u32(vlocals).byte(simd::V128);
    }
    b.byte(op::I32_CONST)
        .i64(0)
        .byte(op::GLOBAL_SET)
        .u32(Globals::STATUS);
    // len = min(len, chunk) (unsigned): the buffers hold no more.
    // (`select` gives its first operand when the condition holds.)
    b.byte(op::I32_CONST).i64(i64::from(layout.chunk));
    b.byte(op::LOCAL_GET).u32(len);
    b.byte(op::LOCAL_GET).u32(len);
    b.byte(op::I32_CONST).i64(i64::from(layout.chunk));
    b.byte(op::I32_GT_U).byte(op::SELECT);
    b.byte(op::LOCAL_TEE).u32(len);
    b.byte(op::I32_CONST).i64(3).byte(op::I32_SHL);
    b.byte(op::LOCAL_SET).u32(end);
    if let Some((vcode, _)) = &vector {
        // Two rows at a time up to the last even row.
        let vbase = base + values;
        b.byte(op::LOCAL_GET).u32(end);
        b.byte(op::I32_CONST).i64(-16).byte(op::I32_AND);
        b.byte(op::LOCAL_SET).u32(pairs);
        b.byte(op::BLOCK).byte(0x40);
        b.byte(op::LOCAL_GET).u32(pairs);
        b.byte(op::I32_EQZ).byte(op::BR_IF).u32(0);
        b.byte(op::LOOP).byte(0x40);
        for j in 0..m.params {
            b.byte(op::LOCAL_GET).u32(at);
            let column = layout.columns + 8 * layout.chunk * j;
            b.byte(op::PREFIX_FD).u32(simd::vop::V128_LOAD);
            b.u32(3).u32(column);
            b.byte(op::LOCAL_SET).u32(vbase + j);
        }
        b.byte(op::LOCAL_GET).u32(at);
        b.raw(vcode);
        b.byte(op::PREFIX_FD).u32(simd::vop::V128_STORE);
        b.u32(3).u32(layout.results);
        b.byte(op::LOCAL_GET).u32(at);
        b.byte(op::I32_CONST).i64(16).byte(op::I32_ADD);
        b.byte(op::LOCAL_TEE).u32(at);
        b.byte(op::LOCAL_GET).u32(pairs);
        b.byte(op::I32_LT_U).byte(op::BR_IF).u32(0);
        b.byte(op::END).byte(op::END);
    }
    // One row at a time (every row, or the odd last one).
    b.byte(op::BLOCK).byte(0x40);
    b.byte(op::LOCAL_GET).u32(at);
    b.byte(op::LOCAL_GET).u32(end);
    b.byte(op::I32_GE_U).byte(op::BR_IF).u32(0);
    b.byte(op::LOOP).byte(0x40);
    if let Some(code) = &code {
        for j in 0..m.params {
            b.byte(op::LOCAL_GET).u32(at);
            let column = layout.columns + 8 * layout.chunk * j;
            b.byte(op::F64_LOAD).u32(3).u32(column);
            b.byte(op::LOCAL_SET).u32(base + j);
        }
        b.byte(op::LOCAL_GET).u32(at);
        b.raw(code);
        b.byte(op::F64_STORE).u32(3).u32(layout.results);
    } else {
        b.byte(op::LOCAL_GET).u32(at);
        for j in 0..m.params {
            b.byte(op::LOCAL_GET).u32(at);
            let column = layout.columns + 8 * layout.chunk * j;
            b.byte(op::F64_LOAD).u32(3).u32(column);
        }
        b.byte(op::CALL).u32(m.main_index());
        b.byte(op::LOCAL_TEE).u32(base);
        b.byte(op::F64_STORE).u32(3).u32(layout.results);
        // A failed point returns NaN with the status set.
        b.byte(op::LOCAL_GET)
            .u32(base)
            .byte(op::LOCAL_GET)
            .u32(base);
        b.byte(op::F64_NE).byte(op::IF).byte(0x40);
        b.byte(op::GLOBAL_GET)
            .u32(Globals::STATUS)
            .byte(op::IF)
            .byte(0x40);
        b.byte(op::LOCAL_GET).u32(at);
        b.byte(op::I32_CONST)
            .i64(3)
            .byte(op::I32_SHR_U)
            .byte(op::RETURN);
        b.byte(op::END).byte(op::END);
    }
    b.byte(op::LOCAL_GET).u32(at);
    b.byte(op::I32_CONST).i64(8).byte(op::I32_ADD);
    b.byte(op::LOCAL_TEE).u32(at);
    b.byte(op::LOCAL_GET).u32(end);
    b.byte(op::I32_LT_U).byte(op::BR_IF).u32(0);
    b.byte(op::END).byte(op::END);
    b.byte(op::LOCAL_GET).u32(len);
    b.byte(op::END);
    Ok(b.0)
}

/// True for a call of a built-in that is one wasm instruction (`sqrt`,
/// `abs`, …: [`math::instruction`]), not a call.
fn inline_math(insn: &Instruction<'_, f64>) -> bool {
    insn.opcode == "call"
        && matches!(insn.operands().next(), Some(Operand::Builtin(name)) if math::instruction(name).is_some())
}

/// A function type: `n` f64 parameters to one f64, or `(i32) -> i32`.
fn f64_type(n: u32) -> Vec<u8> {
    let mut t = Bytes::default();
    t.byte(0x60).u32(n);
    for _ in 0..n {
        t.byte(F64);
    }
    t.u32(1).byte(F64);
    t.0
}

/// The whole module from the function bodies (main, expression functions,
/// `m`, `b`).
fn assemble(m: &Module<'_, '_>, bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut types: Vec<Vec<u8>> = Vec::new();
    let mut type_of = |t: Vec<u8>| -> u32 {
        match types.iter().position(|x| *x == t) {
            Some(i) => i as u32,
            None => {
                types.push(t);
                types.len() as u32 - 1
            }
        }
    };
    // Imports: the memory, then the math functions the program calls.
    let mut imports = Bytes::default();
    imports.name("m").name("mem").byte(0x02).byte(0x00).u32(0);
    for &(name, argc) in &m.imports {
        let ty = type_of(f64_type(argc));
        imports.name("m").name(name).byte(0x00).u32(ty);
    }
    for &(id, argc) in &m.native_imports {
        let ty = type_of(f64_type(argc));
        imports
            .name("n")
            .name(&format!("{id}_{argc}"))
            .byte(0x00)
            .u32(ty);
    }
    let mut funcs = Bytes::default();
    funcs.u32(type_of(f64_type(m.params)));
    for &a in &m.arities {
        funcs.u32(type_of(f64_type(a)));
    }
    funcs.u32(type_of(f64_type(0)));
    let mut batch_type = Bytes::default();
    batch_type.byte(0x60).u32(1).byte(I32).u32(1).byte(I32);
    funcs.u32(type_of(batch_type.0));
    let mut getter_type = Bytes::default();
    getter_type.byte(0x60).u32(0).u32(1).byte(I32);
    let getter_type = type_of(getter_type.0);
    funcs.u32(getter_type).u32(getter_type);
    let mut setter_type = Bytes::default();
    setter_type.byte(0x60).u32(1).byte(I32).u32(0);
    funcs.u32(type_of(setter_type.0));

    let mut globals = Bytes::default();
    for ty in [I32, I32, I64, I32, I32, I32] {
        globals.byte(ty).byte(0x01);
        globals.byte(if ty == I64 {
            op::I64_CONST
        } else {
            op::I32_CONST
        });
        globals.i64(0).byte(op::END);
    }
    let main = m.main_index();
    // After main and the expression functions: m, b, s, p, e.
    let last = main + bodies.len() as u32 - 1;
    let mut exports = Bytes::default();
    exports.name("f").byte(0x00).u32(main);
    for (i, name) in ["m", "b", "s", "p", "e"].into_iter().enumerate() {
        exports.name(name).byte(0x00).u32(last - 4 + i as u32);
    }
    let mut code = Bytes::default();
    for b in bodies {
        code.u32(b.len() as u32).raw(b);
    }

    let mut types_bytes = Bytes::default();
    for t in &types {
        types_bytes.raw(t);
    }
    let mut out = Bytes::default();
    out.raw(b"\0asm").raw(&[1, 0, 0, 0]);
    out.section(1, types.len(), &types_bytes.0);
    out.section(2, 1 + m.imports.len() + m.native_imports.len(), &imports.0);
    out.section(3, bodies.len(), &funcs.0);
    out.section(6, 6, &globals.0);
    out.section(7, 6, &exports.0);
    out.section(10, bodies.len(), &code.0);
    out.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use exp_rs::bumpalo::Bump;
    use exp_rs::{Context, Expr};

    const LAYOUT: Layout = Layout {
        row: 1024,
        columns: 2048,
        results: 4096,
        chunk: 16,
        simd: true,
    };

    fn module(src: &str, ctx: &Context<f64>) -> Result<Vec<u8>, Unsupported> {
        let arena = Bump::new();
        let e = Expr::compile_auto(src, ctx, &arena).map_err(|_| Unsupported("compile"))?;
        generate(e.program(), e.params().len() as u32, LAYOUT)
    }

    #[test]
    fn every_construct_generates_a_small_module() {
        let mut ctx = Context::<f64>::new();
        ctx.add_array("t", &[1.0, 2.0]);
        ctx.add_function("twice", exp_rs::Arity::Exact(1), |a| 2.0 * a[0]);
        ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
            .map_err(|e| e.kind)
            .expect("defines");
        for src in [
            "x * 2",
            "x > 1 ? sin(x) : cos(y) % 2 ^ z",
            "x && y || !z, min(x, y, z) + clamp(x, 0, 1)",
            "fact(x) + t[y] + twice(z)",
        ] {
            let bytes = module(src, &ctx).unwrap_or_else(|e| panic!("{src}: {e:?}"));
            assert_eq!(&bytes[..8], b"\0asm\x01\0\0\0", "{src}");
        }
        // The 50-token expression of the target: under 1 KB.
        let fifty = "x * x * 0.5 + 3 * x - 1 / (x + 2) + sin(y) * cos(z) \
                     - sqrt(x * x + y * y) / (1 + exp(-z)) + (x > y ? x : y)";
        let size = module(fifty, &ctx).map(|b| b.len()).unwrap_or(usize::MAX);
        assert!(size <= 1024, "{size} bytes");
    }

    #[test]
    fn the_listing_reads_the_module_back() {
        let ctx = Context::<f64>::new();
        let bytes = module("x > 1 ? sin(x) : -x * 2", &ctx).unwrap_or_default();
        let text = listing(&bytes);
        for line in [
            "(import \"m\" \"sin\"",
            "(func $f (param f64) (result f64)",
            "call $m.sin",
            "f64.mul",
            "(func $b (param i32) (result i32)",
        ] {
            assert!(text.contains(line), "{line} missing in\n{text}");
        }
        assert!(!text.contains(";; ?"), "{text}");
        // Straight arithmetic: the batch loop two rows at a time.
        let bytes = module("-(1 / (x + 1) + sqrt(abs(x)) * 2)", &ctx).unwrap_or_default();
        let text = listing(&bytes);
        for line in [
            "v128.load offset=",
            "f64x2.div",
            "f64x2.sqrt",
            "f64x2.neg",
            "v128.store",
        ] {
            assert!(text.contains(line), "{line} missing in\n{text}");
        }
        assert!(!text.contains(";; ?"), "{text}");
        // Truncated bytes: a shorter listing, never a panic.
        for cut in 0..bytes.len() {
            let _ = listing(&bytes[..cut]);
        }
    }

    #[test]
    fn recursion_deeper_than_the_wasm_stack_allows_stays_on_the_interpreter() {
        let mut ctx = Context::<f64>::new();
        ctx.add_expression_function("down(n) = n <= 0 ? 0 : 1 + down(n - 1)")
            .map_err(|e| e.kind)
            .expect("defines");
        assert!(module("down(x)", &ctx).is_ok());
        let mut limits = *ctx.limits();
        limits.max_calls = MAX_DEPTH + 1;
        ctx.set_limits(limits);
        assert_eq!(
            module("down(x)", &ctx),
            Err(Unsupported(
                "calls may nest deeper than the wasm stack allows"
            ))
        );
    }
}
