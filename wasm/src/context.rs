//! The JS `Context`: constants, native JS functions, expression functions,
//! arrays and objects, over core's [`exp_rs::Context`].
//!
//! It wraps one core context and changes it in place. A compiled
//! expression holds what it uses of the context (core copies the tables on
//! the next change while an expression shares them), so an expression keeps
//! the context as it was when it was compiled.

use std::cell::RefCell;

use exp_rs::{Arity, CallbackError, ErrorKind};
use js_sys::{Array, Float64Array, Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{self, set_callback_cause};
use crate::expression::{Expression, compile_in, evaluate_in};
use crate::js;

pub(crate) type CoreContext = exp_rs::Context<f64>;

/// The largest `maxDepth` `setLimits` accepts.
const MAX_DEPTH: u32 = 1024;

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
/// ctx.evaluate('twice(hyp(3, 4)) + lut[1] + cal.gain * x', { x: 1 }); // 22
/// ```
#[wasm_bindgen]
pub struct Context {
    inner: RefCell<Inner>,
}

struct Inner {
    ctx: CoreContext,
    /// The arena cap of every compile (`maxArenaBytes`).
    arena_limit: Option<usize>,
    /// The JS function behind each native function, by name, for the
    /// code-generation tier (which imports them into generated modules).
    js_natives: Vec<(String, Function)>,
}

impl Context {
    /// The context to change. A callback running inside one of this
    /// context's own calls cannot get it.
    fn inner(&self) -> Result<std::cell::RefMut<'_, Inner>, JsValue> {
        self.inner.try_borrow_mut().map_err(|_| {
            error::plain(
                ErrorKind::Reentrant,
                "the context is being changed from one of its own callbacks",
            )
        })
    }

    fn wrap(ctx: CoreContext) -> Context {
        crate::init();
        Context {
            inner: RefCell::new(Inner {
                ctx,
                arena_limit: None,
                js_natives: Vec::new(),
            }),
        }
    }

    /// A copy of the core context (it shares the tables) and the arena cap,
    /// for a compile or an evaluation: no borrow is held while they run, so
    /// a native callback may change this context.
    pub(crate) fn core(&self) -> Result<(CoreContext, Option<usize>), JsValue> {
        let inner = self.inner()?;
        Ok((inner.ctx.clone(), inner.arena_limit))
    }
}

#[wasm_bindgen]
impl Context {
    /// A context with every built-in function and the constants `pi`, `e`
    /// and `tau`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Context {
        Context::wrap(CoreContext::new())
    }

    /// A context with no functions and no constants at all.
    pub fn empty() -> Context {
        Context::wrap(CoreContext::empty())
    }

    /// Binds (or rebinds) a constant. Constants are folded into programs
    /// when they are compiled.
    #[wasm_bindgen(js_name = setConstant)]
    pub fn set_constant(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] value: &JsValue,
    ) -> Result<(), JsValue> {
        let name = js::name(name, "setConstant")?;
        let value = value
            .as_f64()
            .ok_or_else(|| error::type_error("setConstant: value must be a number"))?;
        self.inner()?.ctx.set_constant(&name, value);
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
        // Checked now, against everything defined so far.
        self.inner()?
            .ctx
            .add_expression_function(definition)
            .map_err(|e| error::to_js(e, definition))
    }

    /// Registers the partial derivative of function `name` with respect to
    /// its argument `arg` (0-based): `derivative` names another function of
    /// this context (a JS function, an expression function, a built-in)
    /// taking the same arguments. This makes a JS function differentiable
    /// by `Expression.derivative`:
    ///
    /// ```js
    /// const ctx = new Context();
    /// ctx.addFunction('sq', (x) => x * x);
    /// ctx.addExpressionFunction('sq_d(t) = 2 * t');
    /// ctx.setDerivative('sq', 0, 'sq_d');
    /// ctx.compile('sq(3 * x)').derivative('x').toString(); // "3 * sq_d(3 * x)"
    /// ```
    #[wasm_bindgen(js_name = setDerivative)]
    pub fn set_derivative(&self, name: &str, arg: u32, derivative: &str) -> Result<(), JsValue> {
        self.inner()?
            .ctx
            .set_derivative(name, arg as usize, derivative);
        Ok(())
    }

    /// Binds (or rebinds) an array for `name[i]` (indices truncate toward
    /// zero; out of range is an `IndexOutOfBounds` error).
    #[wasm_bindgen(js_name = addArray)]
    pub fn add_array(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "readonly number[] | Float64Array")] values: &JsValue,
    ) -> Result<(), JsValue> {
        let name = js::name(name, "addArray")?;
        let values = js::numbers(values, "addArray: values")?;
        self.inner()?.ctx.add_array(&name, &values);
        Ok(())
    }

    /// Binds (or rebinds) an object for `name.field`, from the object's own
    /// enumerable properties (each must be a number).
    #[wasm_bindgen(js_name = addObject)]
    pub fn add_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Scope")] fields: &JsValue,
    ) -> Result<(), JsValue> {
        let name = js::name(name, "addObject")?;
        if fields.is_undefined() || fields.is_null() {
            return Err(error::type_error(
                "addObject: expected an object of numbers",
            ));
        }
        let fields = js::number_entries(fields, "addObject: fields")?;
        let fields: Vec<(&str, f64)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        self.inner()?.ctx.add_object(&name, &fields);
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
        inner.js_natives.retain(|n| n.0 != name);
        Ok(inner.ctx.remove(&name))
    }

    /// Replaces the limits: `maxDepth` (nesting, default 256, at most
    /// 1024), `maxLen` (source bytes, default 65536), `maxCalls`
    /// (expression-function call depth, default 256), `maxTotalCalls`
    /// (expression-function calls in one evaluation, default 1000000),
    /// `maxSteps` (instructions one evaluation may run, default 10000000;
    /// past it, `StepLimit`: this bounds an evaluation's running time),
    /// `maxArenaBytes`
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
        let mut new = *inner.ctx.limits();
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
                "maxSteps" => (&mut new.max_steps, u32::MAX),
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
        inner.ctx.set_limits(new);
        inner.arena_limit = arena_limit;
        Ok(())
    }

    /// The current limits.
    #[wasm_bindgen(unchecked_return_type = "Limits")]
    pub fn limits(&self) -> Result<JsValue, JsValue> {
        let inner = self.inner()?;
        let l = *inner.ctx.limits();
        let obj = Object::new();
        set(&obj, "maxDepth", l.max_depth.into());
        set(&obj, "maxLen", l.max_len.into());
        set(&obj, "maxCalls", l.max_calls.into());
        set(&obj, "maxTotalCalls", l.max_total_calls.into());
        set(&obj, "maxSteps", l.max_steps.into());
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

    /// Compiles `src` against this context; see the module-level `compile`
    /// (`options.tier` as there).
    pub fn compile(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "readonly string[] | null")]
        params: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CompileOptions | null")] options: &JsValue,
    ) -> Result<Expression, JsValue> {
        // The tier is chosen by the JS layer (`npm/tier.js`), which wraps this.
        let _ = options;
        let ctx = self.core()?;
        let src = js::source(src, "compile: src", ctx.0.limits().max_len)?;
        let params = js::strings(params, "compile: params")?;
        for name in params.iter().flatten() {
            js::check_name(name, "compile: params")?;
        }
        let expr = compile_in(&ctx, &src, params)?;
        // The JS functions the program calls, for generated code. No user
        // code ran since the compile read the context, so they are the
        // ones it compiled in.
        if let Ok(inner) = self.inner.try_borrow() {
            expr.keep_natives(&inner.js_natives);
        }
        Ok(expr)
    }

    /// Evaluates `src` once against this context; see the module-level
    /// `evaluate`.
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] src: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Scope | null")] vars: &JsValue,
    ) -> Result<f64, JsValue> {
        let ctx = self.core()?;
        let src = js::source(src, "evaluate: src", ctx.0.limits().max_len)?;
        evaluate_in(&ctx, &src, vars)
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
        let name = js::name(name, what)?;
        let mut inner = self.inner()?;
        inner.js_natives.retain(|n| n.0 != name);
        inner.js_natives.push((name.clone(), func.clone()));
        inner
            .ctx
            .add_fallible_function(&name, arity, move |args: &[f64]| call_js(&func, args));
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
