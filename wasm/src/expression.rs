//! The JS `Expression`: one compiled expression, evaluated many times.

use std::cell::{Cell, RefCell};

use exp_rs::ErrorKind;
use js_sys::{Array, Float64Array, JSON, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::ast_json::ast_json;
use crate::context::{CoreContext, set};
use crate::error;
use crate::js::{self, RowProblem};
use crate::owned::{OwnedExpr, allocation_counters};

/// Rows `evalBatch` stages in Rust memory at a time: 8 KiB per parameter
/// in every expression. Fewer JS calls per point (wasm/README.md has the
/// measurement that chose 1,024 over 64).
const CHUNK: usize = 1024;

/// A compiled expression. Compile once, then `eval` (one point) or
/// `evalBatch` (many points) as often as needed: neither allocates.
///
/// Call `free()` when done (or let the garbage collector do it).
#[wasm_bindgen]
pub struct Expression {
    owned: OwnedExpr,
    /// The parameter names (a JS array of strings), the keys `eval({...})`
    /// reads.
    keys: Array,
    /// Buffers `eval` and `evalBatch` copy values into, allocated here so
    /// evaluation does not allocate.
    scratch: RefCell<Scratch>,
    /// Heap allocations and bytes of the last `eval`/`evalBatch`.
    last: Cell<(usize, usize)>,
    /// The generated module's batch export and status globals, once the
    /// JS layer instantiated one (`stats().tier` is then `'codegen'`).
    generated: RefCell<Option<Generated>>,
    /// The JS function of each native the program calls (in the program's
    /// native order), when all are known: generated code imports them.
    natives: RefCell<Option<Array>>,
    /// The context (a cheap clone, as it was) and arena limit it was
    /// compiled with, for `derivative`.
    origin: (CoreContext, Option<usize>),
}

/// What `evalBatch` needs of a generated module (see `codegen`).
struct Generated {
    /// Export `b`: `b(len)` runs `len` points from the column buffers.
    batch: js_sys::Function,
    /// Export `s`: the failing point's error code (and clears it).
    status: js_sys::Function,
    /// Export `p`: the failing instruction's index, -1 for the expression.
    pc: js_sys::Function,
    /// The module's size in bytes.
    size: u32,
}

struct Scratch {
    /// One value per parameter.
    row: Box<[f64]>,
    /// From `start` on: `CHUNK` rows of every column, column after column,
    /// then `CHUNK` results (see [`Scratch::staging`]).
    staging: Box<[f64]>,
    /// Where the columns begin in `staging`: half a page off.
    start: usize,
    /// `evalBatch`'s columns while it runs (capacity: one per parameter).
    handles: Vec<JsValue>,
}

/// Where the staged columns and results begin within a 4 KiB page.
///
/// Copying a chunk into them runs at memcpy speed only when the source is
/// not at nearly the same offset within its page: otherwise the CPU takes
/// each load as a possible alias of an earlier store ("4K aliasing") and
/// the copy was measured 10 times slower (3 ns a value instead of 0.3).
/// A large typed array starts at, or just after, a page boundary, and a
/// chunk is 8 KiB, so the staging starts half a page away.
const STAGING_PHASE: usize = 2048;

/// Values of padding in `Scratch::staging`, so that some start in it has
/// the [`STAGING_PHASE`].
const STAGING_PAD: usize = 4096 / 8;

impl Scratch {
    fn new(n: usize) -> Scratch {
        let staging: Box<[f64]> = vec![0.0; (n + 1) * CHUNK + STAGING_PAD].into();
        let address = staging.as_ptr() as usize;
        let start = ((STAGING_PHASE + 4096 - address % 4096) % 4096) / 8;
        Scratch {
            row: vec![0.0; n].into(),
            staging,
            start,
            handles: Vec::with_capacity(n),
        }
    }

    /// The byte addresses of the staged columns and of the results.
    fn addresses(&self) -> (u32, u32) {
        let columns = self.staging[self.start..].as_ptr() as usize;
        let results = columns + 8 * self.row.len() * CHUNK;
        (columns as u32, results as u32)
    }
}

/// Compiles `src` against `ctx`; see [`compile`](crate::compile).
pub(crate) fn compile_in(
    (ctx, arena_limit): &(CoreContext, Option<usize>),
    src: &str,
    params: Option<Vec<String>>,
) -> Result<Expression, JsValue> {
    crate::init();
    let owned = match &params {
        Some(params) => {
            let names: Vec<&str> = params.iter().map(String::as_str).collect();
            OwnedExpr::compile(src, Some(&names), ctx, *arena_limit)
        }
        None => OwnedExpr::compile(src, None, ctx, *arena_limit),
    }
    .map_err(|e| error::to_js(e, src))?;
    let keys: Array = owned.with(|e| e.params().iter().map(|&p| JsValue::from(p)).collect());
    let n = keys.length() as usize;
    let scratch = Scratch::new(n);
    Ok(Expression {
        owned,
        keys,
        scratch: RefCell::new(scratch),
        last: Cell::new((0, 0)),
        generated: RefCell::new(None),
        natives: RefCell::new(None),
        origin: (ctx.clone(), *arena_limit),
    })
}

/// Evaluates `src` once against `ctx`; see [`evaluate`](crate::evaluate).
/// A number in `vars` is a parameter; an object of numbers is an object
/// for `name.field`, an array of numbers (or a `Float64Array`) an array for
/// `name[i]`, both bound in a copy of `ctx` for this evaluation only.
pub(crate) fn evaluate_in(
    (ctx, arena_limit): &(CoreContext, Option<usize>),
    src: &str,
    vars: &JsValue,
) -> Result<f64, JsValue> {
    crate::init();
    let what = "evaluate: vars";
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    let mut scoped: Option<CoreContext> = None;
    for (name, value) in js::entries(vars, what)? {
        js::check_name(&name, what)?;
        if let Some(x) = value.as_f64() {
            names.push(name);
            values.push(x);
            continue;
        }
        let ctx = scoped.get_or_insert_with(|| ctx.clone());
        if js::f64_length(&value)?.is_some() || js::is_array(&value)? {
            let items = js::numbers(&value, &format!("{what}: `{name}`"))?;
            ctx.add_array(&name, &items);
        } else if value.is_object() && !value.is_function() {
            let fields = js::number_entries(&value, &format!("{what}: `{name}`"))?;
            let fields: Vec<(&str, f64)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            ctx.add_object(&name, &fields);
        } else {
            return Err(error::type_error(&format!(
                "{what}: `{name}` is not a number, an array of numbers or an object of numbers"
            )));
        }
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let ctx = scoped.as_ref().unwrap_or(ctx);
    let owned = OwnedExpr::compile(src, Some(&names), ctx, *arena_limit)
        .map_err(|e| error::to_js(e, src))?;
    owned.with(|e| e.eval(&values).map_err(|err| error::to_js(err, src)))
}

impl Expression {
    /// Looks up the JS function of every native the program calls in
    /// `table` (name, function), for generated code.
    pub(crate) fn keep_natives(&self, table: &[(String, js_sys::Function)]) {
        let found: Option<Array> = self.owned.with(|e| {
            e.program()
                .natives()
                .map(|name| {
                    table
                        .iter()
                        .find(|n| n.0 == name)
                        .map(|n| JsValue::from(n.1.clone()))
                })
                .collect::<Option<Vec<JsValue>>>()
                .map(|v| v.into_iter().collect())
        });
        if let Ok(mut natives) = self.natives.try_borrow_mut() {
            *natives = found;
        }
    }

    fn reentrant() -> JsValue {
        error::plain(
            ErrorKind::Reentrant,
            "expression evaluated again from inside its own evaluation",
        )
    }

    /// An evaluation error as `ExpRsError`, its span into this source.
    fn error(&self, err: exp_rs::Error) -> JsValue {
        self.owned.with(|e| error::to_js(err, e.source()))
    }

    /// The error a generated module reported: kind `code` at instruction
    /// `pc` (-1: the whole expression), with the span the interpreter
    /// gives the same failure.
    fn generated_error(&self, code: f64, pc: f64) -> exp_rs::Error {
        let kind = exp_rs::ErrorKind::from_code(code as u8).unwrap_or(ErrorKind::StepLimit);
        self.owned.with(|e| {
            let program = e.program();
            let span = if pc >= 0.0 {
                program.error_span(pc as u32)
            } else {
                None
            };
            exp_rs::Error::new(kind, span.unwrap_or(program.span()))
        })
    }

    /// Runs `len` staged points through the generated batch export;
    /// `Ok(None)` when all succeeded, else the failing point and its error.
    fn run_generated(
        &self,
        generated: &Generated,
        len: usize,
    ) -> Result<Option<(usize, exp_rs::Error)>, JsValue> {
        let done = generated
            .batch
            .call1(&JsValue::UNDEFINED, &JsValue::from(len as u32))?
            .as_f64()
            .unwrap_or(0.0) as usize;
        if done >= len {
            return Ok(None);
        }
        let value = |g: &js_sys::Function| {
            g.call0(&JsValue::UNDEFINED)
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(-1.0)
        };
        let err = self.generated_error(value(&generated.status), value(&generated.pc));
        Ok(Some((done, err)))
    }

    /// Fills `row` from `eval`'s argument (see `js::read_row`).
    fn fill(&self, row: &mut [f64], values: &JsValue) -> Result<(), JsValue> {
        let name = |i: usize| self.keys.get(i as u32).as_string().unwrap_or_default();
        let n = row.len();
        match js::read_row(row, values, &self.keys)? {
            None => Ok(()),
            Some(RowProblem::Count(got)) => Err(error::plain(
                ErrorKind::ParamCount,
                &format!("expected {n} values (one per parameter), got {got}"),
            )),
            Some(RowProblem::Missing(i)) => Err(error::plain(
                ErrorKind::ParamCount,
                &format!("no value for parameter `{}`", name(i)),
            )),
            Some(RowProblem::NotANumber(i)) => Err(error::type_error(&format!(
                "eval: the value for `{}` is not a number",
                name(i)
            ))),
            Some(RowProblem::Type) => Err(error::type_error(
                "eval: expected number[], a typed array or an object of numbers",
            )),
        }
    }

    /// `evalBatch` after the borrow: checks the arguments, then evaluates
    /// chunk by chunk.
    fn batch(
        &self,
        scratch: &mut Scratch,
        columns: &JsValue,
        out: &JsValue,
    ) -> Result<Float64Array, Stop> {
        let n = self.keys.length() as usize;
        if !js::is_array(columns)? {
            return Err(error::type_error("evalBatch: expected an array of Float64Array").into());
        }
        let count = js::length(columns)?;
        if count as usize != n {
            return Err(error::plain(
                ErrorKind::ParamCount,
                &format!("expected {n} columns (one per parameter), got {count}"),
            )
            .into());
        }
        // Hold the columns themselves: a callback may change the array.
        let Scratch {
            row,
            staging,
            start,
            handles,
        } = scratch;
        // The staged columns (`CHUNK` values each), then the results.
        let (staged, results) = staging[*start..*start + (n + 1) * CHUNK].split_at_mut(n * CHUNK);
        let mut rows = None;
        for j in 0..count {
            let col = js::get_index(columns, j)?;
            let Some(len) = js::f64_length(&col)? else {
                return Err(error::type_error(&format!(
                    "evalBatch: column {j} is not a Float64Array"
                ))
                .into());
            };
            if rows.is_some_and(|r| r != len) {
                return Err(error::range_error("evalBatch: columns differ in length").into());
            }
            rows = Some(len);
            // Within the capacity reserved at compile time: no allocation.
            handles.push(col);
        }
        let out_len = if out.is_undefined() || out.is_null() {
            None
        } else {
            match js::f64_length(out)? {
                Some(len) => Some(len),
                None => {
                    return Err(error::type_error("evalBatch: `out` is not a Float64Array").into());
                }
            }
        };
        let rows = match (rows, out_len) {
            (Some(r), Some(o)) if o != r => {
                return Err(error::range_error(
                    "evalBatch: `out` and the columns differ in length",
                )
                .into());
            }
            (Some(r), _) => r,
            (None, Some(o)) => o,
            (None, None) => 1,
        } as usize;
        let out: JsValue = match out_len {
            Some(_) => out.clone(),
            None => Float64Array::new_with_length(rows as u32).into(),
        };

        let generated = self.generated.borrow();
        let before = allocation_counters();
        let result = self.owned.with(|e| {
            // A native callback may detach or resize a buffer at any point.
            let changed = || {
                Stop::Js(error::range_error(
                    "evalBatch: a column or `out` changed length during the call",
                ))
            };
            let same = |a: &JsValue| Ok::<_, JsValue>(js::f64_length(a)? == Some(rows as u32));
            let mut start = 0;
            while start < rows {
                let len = CHUNK.min(rows - start);
                let first = start as u32;
                for (col, chunk) in handles.iter().zip(staged.chunks_exact_mut(CHUNK)) {
                    if !same(col)? {
                        return Err(changed());
                    }
                    js::copy_in(col, first, &mut chunk[..len])?;
                }
                if let Some(generated) = generated.as_ref() {
                    // The generated module reads the staged columns and
                    // writes `results` in place (see `codegen::Layout`).
                    if let Some((r, err)) = self.run_generated(generated, len)? {
                        return Err(Stop::Eval(err, start + r));
                    }
                } else {
                    for (r, result) in results[..len].iter_mut().enumerate() {
                        for (j, v) in row.iter_mut().enumerate() {
                            *v = staged[j * CHUNK + r];
                        }
                        *result = e.eval(row).map_err(|err| Stop::Eval(err, start + r))?;
                    }
                }
                if !same(&out)? {
                    return Err(changed());
                }
                js::copy_out(&results[..len], &out, first)?;
                start += len;
            }
            Ok(())
        });
        self.last.set(since(before));
        result.map(|()| out.unchecked_into())
    }
}

/// Why `evalBatch` stopped early.
enum Stop {
    /// A JS error to throw as it is.
    Js(JsValue),
    /// An evaluation error at a point.
    Eval(exp_rs::Error, usize),
}

impl From<JsValue> for Stop {
    fn from(e: JsValue) -> Stop {
        Stop::Js(e)
    }
}

#[wasm_bindgen]
impl Expression {
    /// The parameter names, in the order `eval` takes values.
    #[wasm_bindgen(getter)]
    pub fn params(&self) -> Vec<String> {
        self.owned
            .with(|e| e.params().iter().map(|&p| p.to_owned()).collect())
    }

    /// The source text.
    #[wasm_bindgen(getter)]
    pub fn source(&self) -> String {
        self.owned.with(|e| e.source().to_owned())
    }

    /// The canonical source: minimal parentheses, `^` for powers, numbers
    /// in their shortest form. Compiling it gives the same tree and the
    /// same results, bit for bit (`String(compile('(x)*2.50'))` is
    /// `"x * 2.5"`).
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        self.owned.with(|e| e.to_string())
    }

    /// The derivative with respect to the parameter `name`, simplified and
    /// compiled against the same context, with the same parameters
    /// (`compile('x^3').derivative('x').toString()` is `"3 * x^2"`). Throws
    /// `NotDifferentiable` at a recursive expression function or a native
    /// function (JS callback) without a registered derivative,
    /// `UnknownVariable` when `name` is not a parameter, `TooDeep` or
    /// `ArenaFull` when the derivative would pass the limits.
    pub fn derivative(&self, name: &str) -> Result<Expression, JsValue> {
        let (ctx, _) = &self.origin;
        let text = self.owned.with(|e| {
            if !e.params().contains(&name) {
                return Err(error::plain(
                    ErrorKind::UnknownVariable,
                    &format!("`{name}` is not a parameter of this expression"),
                ));
            }
            let scratch = exp_rs::bumpalo::Bump::new();
            let tree = exp_rs::derivative(e.ast(), name, e.params(), ctx, &scratch)
                .map_err(|err| error::to_js(err, e.source()))?;
            let text = tree.to_string();
            if text.len() > ctx.limits().max_len as usize {
                return Err(error::plain(
                    ErrorKind::ArenaFull,
                    "the derivative is longer than the source length limit",
                ));
            }
            Ok(text)
        })?;
        compile_in(&self.origin, &text, Some(self.params()))
    }

    /// Evaluates at one point: one value per parameter, as an array in
    /// `params` order or as an object keyed by parameter name (own
    /// properties only); may be left out when there are no parameters.
    /// Allocates nothing.
    pub fn eval(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "readonly number[] | Float64Array | Scope")]
        values: &JsValue,
    ) -> Result<f64, JsValue> {
        let Ok(mut scratch) = self.scratch.try_borrow_mut() else {
            return Err(Self::reentrant());
        };
        let before = allocation_counters();
        self.fill(&mut scratch.row, values)?;
        let result = self.owned.with(|e| e.eval(&scratch.row));
        self.last.set(since(before));
        drop(scratch);
        result.map_err(|e| self.error(e))
    }

    /// Evaluates at many points in one call: `columns[i][r]` is the value
    /// of parameter `i` at point `r` (one `Float64Array` per parameter, all
    /// the same length). Results go into `out` (same length, created when
    /// missing), which is returned. Allocates nothing in wasm memory. The
    /// first failing point throws an `ExpRsError` with its index as `row`.
    #[wasm_bindgen(js_name = evalBatch)]
    pub fn eval_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly Float64Array[]")] columns: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Float64Array | null")] out: &JsValue,
    ) -> Result<Float64Array, JsValue> {
        let Ok(mut scratch) = self.scratch.try_borrow_mut() else {
            return Err(Self::reentrant());
        };
        let result = self.batch(&mut scratch, columns, out);
        // Let go of the columns.
        scratch.handles.clear();
        drop(scratch);
        match result {
            Ok(out) => Ok(out),
            Err(Stop::Js(e)) => Err(e),
            Err(Stop::Eval(err, row)) => {
                let js = self.error(err);
                let _ = Reflect::set(&js, &"row".into(), &(row as f64).into());
                Err(js)
            }
        }
    }

    /// The syntax tree as plain objects:
    /// `{kind, op | name | value, span: [start, end], children}`; spans are
    /// JS string indices into `source`.
    #[wasm_bindgen(unchecked_return_type = "AstNode")]
    pub fn ast(&self) -> Result<JsValue, JsValue> {
        let json = self.owned.with(|e| ast_json(e.ast(), e.source()));
        JSON::parse(&json)
    }

    /// The disassembly listing of the compiled program.
    pub fn program(&self) -> String {
        self.owned.with(|e| e.program().to_string())
    }

    /// The compiled program as plain data (what `program()` prints):
    /// every instruction with its opcode, operands, the span of the node
    /// it came from and its function block; the spans of the nodes folded
    /// into constants; the expression functions compiled in; sizes.
    #[wasm_bindgen(js_name = programView, unchecked_return_type = "ProgramView")]
    pub fn program_view(&self) -> JsValue {
        self.owned
            .with(|e| crate::program_view::program_view(e.program(), e.source()))
    }

    /// Sizes and the allocations the last `eval`/`evalBatch` made
    /// (counted by the allocator: for `eval` from reading the values to the
    /// result, for `evalBatch` from copying the first rows in to copying
    /// the last results out).
    #[wasm_bindgen(unchecked_return_type = "Stats")]
    pub fn stats(&self) -> JsValue {
        let (allocations, bytes) = self.last.get();
        let obj = Object::new();
        self.owned.with(|e| {
            set(&obj, "arenaBytes", (e.arena_bytes() as f64).into());
            set(&obj, "programLength", (e.program().len() as f64).into());
            set(&obj, "maxStack", (e.program().stack_size() as f64).into());
        });
        set(&obj, "allocationsLastEval", (allocations as f64).into());
        set(&obj, "bytesAllocatedLastEval", (bytes as f64).into());
        let size = self.generated.borrow().as_ref().map(|g| g.size);
        let tier = if size.is_some() {
            "codegen"
        } else {
            "interpreter"
        };
        set(&obj, "tier", tier.into());
        set(&obj, "moduleSize", f64::from(size.unwrap_or(0)).into());
        obj.into()
    }

    /// A WAT-like listing of the WebAssembly module generated for this
    /// expression (imports, then each function's instructions), or `undefined`
    /// when it runs on the interpreter.
    pub fn wat(&self) -> Option<String> {
        self.generated.try_borrow().ok()?.as_ref()?;
        Some(crate::codegen::listing(&self.module_bytes()?))
    }

    /// The code-generation tier's module for this expression (bytes), or
    /// `undefined` when the program stays on the interpreter (see
    /// `codegen`). Used by the JS layer (`tier.js`), not part of the API.
    #[wasm_bindgen(js_name = __codegen, skip_typescript)]
    pub fn codegen(&self) -> Option<js_sys::Uint8Array> {
        let bytes = self.module_bytes()?;
        Some(js_sys::Uint8Array::from(&bytes[..]))
    }
}

impl Expression {
    /// The generated module's bytes (the same every time), or `None`.
    fn module_bytes(&self) -> Option<Vec<u8>> {
        let scratch = self.scratch.try_borrow().ok()?;
        let (columns, results) = scratch.addresses();
        let layout = crate::codegen::Layout {
            row: scratch.row.as_ptr() as usize as u32,
            columns,
            results,
            chunk: CHUNK as u32,
            simd: crate::codegen::simd(),
        };
        let params = scratch.row.len() as u32;
        self.owned
            .with(|e| crate::codegen::generate(e.program(), params, layout))
            .ok()
    }
}

#[wasm_bindgen]
impl Expression {
    /// Records the instantiated module's batch export `b`, status exports
    /// `s` and `p` and size: `evalBatch` runs on it from now on. Used by
    /// the JS layer (`tier.js`), not part of the API.
    #[wasm_bindgen(js_name = __useModule, skip_typescript)]
    pub fn use_module(&self, batch: &JsValue, status: &JsValue, pc: &JsValue, size: u32) -> bool {
        let (Some(batch), Some(status), Some(pc)) = (
            batch.dyn_ref::<js_sys::Function>(),
            status.dyn_ref::<js_sys::Function>(),
            pc.dyn_ref::<js_sys::Function>(),
        ) else {
            return false;
        };
        let Ok(mut generated) = self.generated.try_borrow_mut() else {
            return false;
        };
        *generated = Some(Generated {
            batch: batch.clone(),
            status: status.clone(),
            pc: pc.clone(),
            size,
        });
        true
    }

    /// The JS functions of the natives the program calls, in the order
    /// generated code imports them (`n0`, `n1`, …); `undefined` when the
    /// program calls none or one is unknown. Used by the JS layer.
    #[wasm_bindgen(js_name = __natives, skip_typescript)]
    pub fn natives_for_codegen(&self) -> JsValue {
        let count = self.owned.with(|e| e.program().natives().len());
        match self.natives.try_borrow().ok().and_then(|n| n.clone()) {
            Some(list) if list.length() as usize == count => list.into(),
            _ if count == 0 => Array::new().into(),
            _ => JsValue::UNDEFINED,
        }
    }

    /// Where the row buffer is in wasm memory (a byte address): generated
    /// code's export `m` reads a point's values there. Used by the JS
    /// layer (`tier.js`).
    #[wasm_bindgen(getter, js_name = __rowAddress, skip_typescript)]
    pub fn row_address(&self) -> f64 {
        self.scratch
            .try_borrow()
            .map_or(0.0, |s| s.row.as_ptr() as usize as f64)
    }

    /// `[columns, results, chunk]`: where the column and result buffers
    /// of generated code's batch export `b` are (byte addresses) and how
    /// many rows they hold. Used by the JS layer (`tier.js`).
    #[wasm_bindgen(getter, js_name = __batchLayout, skip_typescript)]
    pub fn batch_layout(&self) -> Vec<f64> {
        self.scratch.try_borrow().map_or(Vec::new(), |s| {
            vec![
                f64::from(s.addresses().0),
                f64::from(s.addresses().1),
                CHUNK as f64,
            ]
        })
    }

    /// The `ExpRsError` for a failure the generated module reported: error
    /// code `code` at instruction `pc`. Used by the JS layer (`tier.js`).
    #[wasm_bindgen(js_name = __error, skip_typescript)]
    pub fn error_from_generated(&self, code: f64, pc: f64) -> JsValue {
        self.error(self.generated_error(code, pc))
    }
}

/// Allocations and bytes since the `before` reading.
fn since(before: (usize, usize)) -> (usize, usize) {
    let now = allocation_counters();
    (now.0.wrapping_sub(before.0), now.1.wrapping_sub(before.1))
}
