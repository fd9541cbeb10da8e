//! The JS `Context`: constants, native JS functions, expression functions,
//! arrays and objects, over core's [`exp_rs::Context`].
//!
//! A compiled expression keeps the core context it was compiled against
//! (an `Rc`), which must not change under it. So the JS context changes its
//! core context in place only while no expression shares it; otherwise it
//! builds a fresh one by replaying [`Defs`], its log of what was defined.
//! An expression therefore sees the context as it was when it was compiled.

use std::cell::RefCell;
use std::rc::Rc;

use exp_rs::{Arity, CallbackError, Limits};
use js_sys::{Array, Float64Array, Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{self, set_callback_cause};
use crate::expression::{Expression, compile_in, evaluate_in};
use crate::js;

type CoreContext = exp_rs::Context<f64>;

/// The largest `maxDepth` `setLimits` accepts.
const MAX_DEPTH: u32 = 1024;

/// One definition, as the JS caller made it.
enum Def {
    Constant(String, f64),
    Array(String, Vec<f64>),
    Object(String, Vec<(String, f64)>),
    Native(String, Arity, Function),
    /// The function's name and its whole definition.
    Expression(String, String),
    Remove(String),
}

impl Def {
    fn name(&self) -> &str {
        match self {
            Def::Constant(n, _)
            | Def::Array(n, _)
            | Def::Object(n, _)
            | Def::Native(n, ..)
            | Def::Expression(n, _)
            | Def::Remove(n) => n,
        }
    }

    /// Which of core's tables the definition goes to (natives and
    /// expression functions share one).
    fn table(&self) -> u8 {
        match self {
            Def::Constant(..) => 0,
            Def::Array(..) => 1,
            Def::Object(..) => 2,
            Def::Native(..) | Def::Expression(..) => 3,
            Def::Remove(..) => 4,
        }
    }

    /// Applies the definition to a core context. Only an expression
    /// function can fail (its body is checked against the names defined so
    /// far).
    fn apply(&self, ctx: &mut CoreContext) -> Result<(), exp_rs::Error> {
        match self {
            Def::Constant(name, v) => ctx.set_constant(name, *v),
            Def::Array(name, values) => ctx.add_array(name, values),
            Def::Object(name, fields) => {
                let fields: Vec<(&str, f64)> =
                    fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                ctx.add_object(name, &fields);
            }
            Def::Native(name, arity, func) => {
                let func = func.clone();
                ctx.add_fallible_function(name, *arity, move |args: &[f64]| call_js(&func, args));
            }
            Def::Expression(_, definition) => ctx.add_expression_function(definition)?,
            Def::Remove(name) => {
                ctx.remove(name);
            }
        }
        Ok(())
    }
}

/// What a JS context defines: enough to build its core context again.
#[derive(Default)]
struct Defs {
    /// Starts from [`CoreContext::empty`] instead of the built-ins.
    empty: bool,
    limits: Option<Limits>,
    /// Replayed in order. A redefinition replaces the earlier entry in
    /// place (so expression functions defined in between still see the
    /// name); a removal drops every entry of the name.
    log: Vec<Def>,
}

impl Defs {
    fn record(&mut self, def: Def) {
        match def {
            Def::Remove(_) => self.log.retain(|d| d.name() != def.name()),
            // Checked against everything defined so far: it goes last.
            Def::Expression(..) => self
                .log
                .retain(|d| d.table() != def.table() || d.name() != def.name()),
            _ => {
                let same = |d: &&mut Def| d.table() == def.table() && d.name() == def.name();
                if let Some(old) = self.log.iter_mut().find(same) {
                    *old = def;
                    return;
                }
            }
        }
        self.log.push(def);
    }

    /// A core context with everything defined here.
    fn build(&self) -> CoreContext {
        let mut ctx = if self.empty {
            CoreContext::empty()
        } else {
            CoreContext::new()
        };
        if let Some(limits) = self.limits {
            ctx.set_limits(limits);
        }
        for def in &self.log {
            // Only an expression function can fail, and it was accepted
            // when defined: it fails now only if a value name its body uses
            // was removed since. It could not compile anyway; calls to it
            // then report `UnknownFunction` instead.
            let _ = def.apply(&mut ctx);
        }
        ctx
    }
}

/// Calls a native JS function. A throw, or a result that is not a number,
/// becomes a [`CallbackError`] (`Callback` with the call's span), with the
/// reason kept as the error's `cause`.
fn call_js(func: &Function, args: &[f64]) -> Result<f64, CallbackError> {
    let this = JsValue::UNDEFINED;
    let num = |i: usize| JsValue::from_f64(args.get(i).copied().unwrap_or(f64::NAN));
    let result = match args.len() {
        0 => func.call0(&this),
        1 => func.call1(&this, &num(0)),
        2 => func.call2(&this, &num(0), &num(1)),
        3 => func.call3(&this, &num(0), &num(1), &num(2)),
        // One copy into a JS typed array; `apply` takes any array-like.
        _ => func.apply(&this, Float64Array::from(args).unchecked_ref::<Array>()),
    };
    match result {
        Ok(v) => match v.as_f64() {
            Some(x) => Ok(x),
            None => {
                set_callback_cause(error::type_error(
                    "a native function returned something that is not a number",
                ));
                Err(CallbackError)
            }
        },
        Err(thrown) => {
            set_callback_cause(thrown);
            Err(CallbackError)
        }
    }
}

/// The names an expression may use besides its parameters: constants,
/// native JS functions, expression functions, arrays and objects.
///
/// Expressions compiled from a context keep it as it was when they were
/// compiled; later changes apply to later compiles.
///
/// ```js
/// const ctx = new Context();
/// ctx.setConstant('g', 9.81);
/// ctx.addFunction('twice', (x) => 2 * x);
/// ctx.addVariadicFunction('hypot', Math.hypot, 1);
/// ctx.addExpressionFunction('hyp(a, b) = sqrt(a^2 + b^2)');
/// ctx.addArray('lut', [0, 10, 20]);
/// ctx.addObject('cal', { gain: 2, offset: 0.5 });
/// ctx.evaluate('twice(hyp(3, 4)) + lut[1] + cal.gain * x', { x: 1 }); // 32
/// ```
#[wasm_bindgen]
pub struct Context {
    inner: RefCell<Inner>,
}

struct Inner {
    defs: Defs,
    /// The core context for the next compile; `None` after a change made
    /// while an expression shared the previous one.
    live: Option<Rc<CoreContext>>,
    /// The arena cap of every compile (`maxArenaBytes`).
    arena_limit: Option<usize>,
}

impl Inner {
    /// Runs `f` on the core context, owned by this context alone (built
    /// again when an expression shares the current one).
    fn with_live<T>(&mut self, f: impl FnOnce(&mut CoreContext) -> T) -> T {
        let mut ctx = match self.live.take().map(Rc::try_unwrap) {
            Some(Ok(ctx)) => ctx,
            // Shared with an expression (or never built).
            _ => self.defs.build(),
        };
        let out = f(&mut ctx);
        self.live = Some(Rc::new(ctx));
        out
    }

    /// Records `def` and applies it to the core context if no expression
    /// shares that; otherwise the next use builds a fresh one.
    fn define(&mut self, def: Def) {
        match self.live.as_mut().and_then(Rc::get_mut) {
            Some(ctx) => {
                let _ = def.apply(ctx);
            }
            None => self.live = None,
        }
        self.defs.record(def);
    }

    /// The core context for a compile.
    fn shared(&mut self) -> Rc<CoreContext> {
        match &self.live {
            Some(rc) => Rc::clone(rc),
            None => {
                let rc = Rc::new(self.defs.build());
                self.live = Some(Rc::clone(&rc));
                rc
            }
        }
    }
}

impl Context {
    fn inner(&self) -> Result<std::cell::RefMut<'_, Inner>, JsValue> {
        self.inner.try_borrow_mut().map_err(|_| {
            error::plain(
                exp_rs::ErrorKind::Reentrant,
                "the context is being changed from one of its own callbacks",
            )
        })
    }

    fn with_defs(defs: Defs) -> Context {
        crate::init();
        Context {
            inner: RefCell::new(Inner {
                defs,
                live: None,
                arena_limit: None,
            }),
        }
    }

    /// The core context and the arena cap for a compile or an evaluation.
    pub(crate) fn core(&self) -> Result<(Rc<CoreContext>, Option<usize>), JsValue> {
        let mut inner = self.inner()?;
        Ok((inner.shared(), inner.arena_limit))
    }
}

#[wasm_bindgen]
impl Context {
    /// A context with every built-in function and the constants `pi`, `e`
    /// and `tau`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Context {
        Context::with_defs(Defs::default())
    }

    /// A context with no functions and no constants at all.
    pub fn empty() -> Context {
        Context::with_defs(Defs {
            empty: true,
            ..Defs::default()
        })
    }

    /// Binds (or rebinds) a constant. Constants are folded into programs
    /// when they are compiled.
    #[wasm_bindgen(js_name = setConstant)]
    pub fn set_constant(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] value: &JsValue,
    ) -> Result<(), JsValue> {
        let name = js::string(name, "setConstant: name")?;
        let value = value
            .as_f64()
            .ok_or_else(|| error::type_error("setConstant: value must be a number"))?;
        self.inner()?.define(Def::Constant(name, value));
        Ok(())
    }

    /// Adds (or replaces, even a built-in) a native function taking exactly
    /// `arity` arguments (default: `fn.length`). When it throws or returns
    /// something other than a number, evaluation fails with an
    /// `ExpRsError` of kind `Callback` whose `cause` is what it threw.
    #[wasm_bindgen(js_name = addFunction)]
    pub fn add_function(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "(...args: number[]) => number")] func: &JsValue,
        arity: Option<u32>,
    ) -> Result<(), JsValue> {
        let func = function(func, "addFunction")?;
        let arity = match arity {
            Some(n) => n,
            // Through `Reflect.get`: a `length` getter may throw.
            None => js::length(&func)?,
        };
        let arity = Arity::Exact(arity as usize);
        self.add_native(name, arity, func, "addFunction")
    }

    /// Adds (or replaces) a variadic native function taking at least
    /// `minArgs` arguments (default 0); it is called with the arguments
    /// spread, so `addVariadicFunction('hypot', Math.hypot, 1)` works.
    #[wasm_bindgen(js_name = addVariadicFunction)]
    pub fn add_variadic_function(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "(...args: number[]) => number")] func: &JsValue,
        #[wasm_bindgen(js_name = minArgs)] min_args: Option<u32>,
    ) -> Result<(), JsValue> {
        let func = function(func, "addVariadicFunction")?;
        let arity = Arity::AtLeast(min_args.unwrap_or(0) as usize);
        self.add_native(name, arity, func, "addVariadicFunction")
    }

    /// Adds (or replaces) an expression function from its definition,
    /// `name(p1, p2, …) = body`. Its body sees its parameters and this
    /// context's constants, arrays and objects; it may call any function,
    /// itself included. Errors point into `definition`.
    #[wasm_bindgen(js_name = addExpressionFunction)]
    pub fn add_expression_function(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] definition: &JsValue,
    ) -> Result<(), JsValue> {
        let max_len = self.core()?.0.limits().max_len;
        let definition = &js::source(definition, "addExpressionFunction: definition", max_len)?;
        let mut inner = self.inner()?;
        let limits = inner.with_live(|ctx| *ctx.limits());
        let name = exp_rs::parse_definition(definition, &exp_rs::bumpalo::Bump::new(), &limits)
            .map(|def| def.name.to_owned())
            .map_err(|e| error::to_js(e, definition))?;
        let def = Def::Expression(name, definition.to_owned());
        // Checked now, against everything defined so far.
        inner
            .with_live(|ctx| def.apply(ctx))
            .map_err(|e| error::to_js(e, definition))?;
        inner.defs.record(def);
        Ok(())
    }

    /// Binds (or rebinds) an array for `name[i]` (indices truncate toward
    /// zero; out of range is an `IndexOutOfBounds` error).
    #[wasm_bindgen(js_name = addArray)]
    pub fn add_array(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array")] values: &JsValue,
    ) -> Result<(), JsValue> {
        let name = js::string(name, "addArray: name")?;
        let values = js::numbers(values, "addArray: values")?;
        self.inner()?.define(Def::Array(name, values));
        Ok(())
    }

    /// Binds (or rebinds) an object for `name.field`, from the object's own
    /// enumerable properties (each must be a number).
    #[wasm_bindgen(js_name = addObject)]
    pub fn add_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] fields: &JsValue,
    ) -> Result<(), JsValue> {
        let name = js::string(name, "addObject: name")?;
        if fields.is_undefined() || fields.is_null() {
            return Err(error::type_error(
                "addObject: expected an object of numbers",
            ));
        }
        let fields = js::number_entries(fields, "addObject: fields")?;
        self.inner()?.define(Def::Object(name, fields));
        Ok(())
    }

    /// Removes the constant, function (built-ins too), array or object
    /// called `name`; true if there was one.
    pub fn remove(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
    ) -> Result<bool, JsValue> {
        let name = js::string(name, "remove: name")?;
        let mut inner = self.inner()?;
        let existed = inner.with_live(|ctx| ctx.remove(&name));
        inner.defs.record(Def::Remove(name));
        Ok(existed)
    }

    /// Replaces the limits: `maxDepth` (nesting, default 256, at most
    /// 1024), `maxLen` (source bytes, default 65536), `maxCalls`
    /// (expression-function call depth, default 256), `maxTotalCalls`
    /// (expression-function calls in one evaluation, default 1000000; this
    /// bounds an evaluation's running time), `maxArenaBytes`
    /// (bytes one compiled expression may take, `null` for no limit, the
    /// default). Missing fields keep their current value.
    #[wasm_bindgen(js_name = setLimits)]
    pub fn set_limits(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Partial<Limits>")] limits: &JsValue,
    ) -> Result<(), JsValue> {
        // Read the argument (which may run user code) before borrowing.
        let entries = js::entries(limits, "setLimits")?;
        let mut inner = self.inner()?;
        let mut new = inner.with_live(|ctx| *ctx.limits());
        let mut arena_limit = inner.arena_limit;
        for (key, value) in entries {
            if key == "maxArenaBytes" && value.is_null() {
                arena_limit = None;
                continue;
            }
            let Some(value) = value.as_f64() else {
                return Err(error::type_error(&format!(
                    "setLimits: `{key}` is not a number"
                )));
            };
            // Core's tree walk (used when an expression function is
            // defined) recurses once per nesting level: keep it far from
            // the 1 MiB wasm stack.
            let (slot, max) = match key.as_str() {
                "maxDepth" => (&mut new.max_depth, MAX_DEPTH),
                "maxLen" => (&mut new.max_len, u32::MAX),
                "maxCalls" => (&mut new.max_calls, u32::MAX),
                "maxTotalCalls" => (&mut new.max_total_calls, u32::MAX),
                "maxArenaBytes" => {
                    if !(value >= 0.0 && value <= u32::MAX as f64) {
                        return Err(error::range_error("setLimits: bad `maxArenaBytes`"));
                    }
                    arena_limit = Some(value as usize);
                    continue;
                }
                _ => {
                    return Err(error::type_error(&format!(
                        "setLimits: unknown limit `{key}`"
                    )));
                }
            };
            if !(value >= 0.0 && value <= f64::from(max)) {
                return Err(error::range_error(&format!(
                    "setLimits: `{key}` must be 0 to {max}"
                )));
            }
            *slot = value as u32;
        }
        inner.with_live(|ctx| ctx.set_limits(new));
        inner.defs.limits = Some(new);
        inner.arena_limit = arena_limit;
        Ok(())
    }

    /// The current limits.
    #[wasm_bindgen(unchecked_return_type = "Limits")]
    pub fn limits(&self) -> Result<JsValue, JsValue> {
        let mut inner = self.inner()?;
        let l = inner.with_live(|ctx| *ctx.limits());
        let obj = Object::new();
        set(&obj, "maxDepth", l.max_depth.into());
        set(&obj, "maxLen", l.max_len.into());
        set(&obj, "maxCalls", l.max_calls.into());
        set(&obj, "maxTotalCalls", l.max_total_calls.into());
        let arena = inner
            .arena_limit
            .map_or(JsValue::NULL, |b| (b as f64).into());
        set(&obj, "maxArenaBytes", arena);
        Ok(obj.into())
    }

    /// Every function name (built-in, native, expression), sorted.
    #[wasm_bindgen(js_name = functionNames)]
    pub fn function_names(&self) -> Result<Vec<String>, JsValue> {
        let (ctx, _) = self.core()?;
        Ok(ctx.function_names().map(str::to_owned).collect())
    }

    /// Every constant name, sorted.
    #[wasm_bindgen(js_name = constantNames)]
    pub fn constant_names(&self) -> Result<Vec<String>, JsValue> {
        let (ctx, _) = self.core()?;
        Ok(ctx.constants().map(|(k, _)| k.to_owned()).collect())
    }

    /// Compiles `src` against this context; see the module-level `compile`.
    pub fn compile(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string[] | null")] params: &JsValue,
    ) -> Result<Expression, JsValue> {
        let ctx = self.core()?;
        let src = js::source(src, "compile: src", ctx.0.limits().max_len)?;
        let params = js::strings(params, "compile: params")?;
        compile_in(ctx, &src, params)
    }

    /// Evaluates `src` once against this context; see the module-level
    /// `evaluate`.
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Record<string, number> | null")]
        vars: &JsValue,
    ) -> Result<f64, JsValue> {
        let ctx = self.core()?;
        let src = js::source(src, "evaluate: src", ctx.0.limits().max_len)?;
        evaluate_in(ctx, &src, vars)
    }
}

impl Context {
    fn add_native(
        &self,
        name: &JsValue,
        arity: Arity,
        func: Function,
        what: &str,
    ) -> Result<(), JsValue> {
        let name = js::string(name, &format!("{what}: name"))?;
        self.inner()?.define(Def::Native(name, arity, func));
        Ok(())
    }
}

impl Default for Context {
    fn default() -> Context {
        Context::new()
    }
}

/// Sets `obj[key] = value`.
pub(crate) fn set(obj: &Object, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), &value);
}

/// A function argument.
fn function(value: &JsValue, what: &str) -> Result<Function, JsValue> {
    value
        .dyn_ref::<Function>()
        .cloned()
        .ok_or_else(|| error::type_error(&format!("{what}: not a function")))
}
