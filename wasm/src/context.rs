//! The JS `Context`: constants, native JS functions, expression functions,
//! arrays and objects, over core's [`exp_rs::Context`].
//!
//! A compiled expression keeps the core context it was compiled against
//! (an `Rc`), which must not change under it. So the JS context mutates its
//! core context in place only while no expression shares it; otherwise it
//! builds a fresh one from [`Defs`], its own record of what was defined.
//! An expression therefore sees the context as it was when it was compiled.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use exp_rs::{Arity, CallbackError, Limits};
use js_sys::{Array, Float64Array, Function, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{self, set_callback_cause};
use crate::expression::{Expression, compile_in, evaluate_in};

type CoreContext = exp_rs::Context<f64>;

/// The largest `maxDepth` `setLimits` accepts.
const MAX_DEPTH: u32 = 1024;

/// What a JS context defines, enough to build its core context again.
#[derive(Clone, Default)]
struct Defs {
    /// Starts from [`CoreContext::empty`] instead of the built-ins.
    empty: bool,
    /// Built-ins (and `pi`, `e`, `tau`) removed with `remove`.
    removed: BTreeSet<String>,
    constants: BTreeMap<String, f64>,
    arrays: BTreeMap<String, Vec<f64>>,
    objects: BTreeMap<String, Vec<(String, f64)>>,
    natives: BTreeMap<String, (Arity, Function)>,
    /// Expression functions by name, in definition order (a body is checked
    /// against the names defined before it).
    functions: Vec<(String, String)>,
    limits: Option<Limits>,
}

impl Defs {
    /// A core context with everything defined here.
    fn build(&self) -> CoreContext {
        let mut ctx = if self.empty {
            CoreContext::empty()
        } else {
            CoreContext::new()
        };
        for name in &self.removed {
            ctx.remove(name);
        }
        if let Some(limits) = self.limits {
            ctx.set_limits(limits);
        }
        for (name, &v) in &self.constants {
            ctx.set_constant(name, v);
        }
        for (name, values) in &self.arrays {
            ctx.add_array(name, values);
        }
        for (name, fields) in &self.objects {
            let fields: Vec<(&str, f64)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            ctx.add_object(name, &fields);
        }
        for (name, (arity, func)) in &self.natives {
            add_native(&mut ctx, name, *arity, func.clone());
        }
        for (_, definition) in &self.functions {
            // It was accepted when defined. It fails now only if a value
            // name its body uses was removed since; the function then
            // cannot compile anyway, and calls to it report
            // `UnknownFunction`.
            let _ = ctx.add_expression_function(definition);
        }
        ctx
    }

    /// Forgets every definition of `name` (before redefining it, or for
    /// `remove`).
    fn forget(&mut self, name: &str) -> bool {
        let a = self.constants.remove(name).is_some();
        let b = self.arrays.remove(name).is_some();
        let c = self.objects.remove(name).is_some();
        let d = self.forget_function(name);
        a || b || c || d
    }

    fn forget_function(&mut self, name: &str) -> bool {
        let before = self.functions.len();
        self.functions.retain(|(n, _)| n != name);
        let native = self.natives.remove(name).is_some();
        native || self.functions.len() != before
    }
}

/// Registers a JS function as a native function of `ctx`.
fn add_native(ctx: &mut CoreContext, name: &str, arity: Arity, func: Function) {
    ctx.add_fallible_function(name, arity, move |args: &[f64]| call_js(&func, args));
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
    /// The core context, uniquely owned (built again if an expression
    /// shares it), for an in-place change.
    fn live_mut(&mut self) -> &mut CoreContext {
        let unique = self
            .live
            .as_mut()
            .is_some_and(|rc| Rc::get_mut(rc).is_some());
        if !unique {
            self.live = Some(Rc::new(self.defs.build()));
        }
        match &mut self.live {
            Some(rc) => match Rc::get_mut(rc) {
                Some(ctx) => ctx,
                // Unreachable: a new `Rc` has no other owner.
                None => unreachable_context(),
            },
            None => unreachable_context(),
        }
    }

    /// Applies `change` to the definitions and to the core context.
    fn change(&mut self, change: impl Fn(&mut Defs, Option<&mut CoreContext>)) {
        change(&mut self.defs, None);
        if let Some(ctx) = self.live.as_mut().and_then(Rc::get_mut) {
            change(&mut Defs::default(), Some(ctx));
        } else {
            // Shared with an expression: build afresh at the next use.
            self.live = None;
        }
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

#[cold]
fn unreachable_context() -> ! {
    // Never reached (see the callers); a JS exception rather than a trap
    // if it ever were.
    wasm_bindgen::throw_str("exp-rs: internal error: context is shared")
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
    pub fn set_constant(&self, name: &str, value: f64) -> Result<(), JsValue> {
        self.inner()?.change(|defs, ctx| match ctx {
            Some(ctx) => ctx.set_constant(name, value),
            None => {
                defs.constants.insert(name.to_owned(), value);
            }
        });
        Ok(())
    }

    /// Adds (or replaces, even a built-in) a native function taking exactly
    /// `arity` arguments (default: `fn.length`). When it throws or returns
    /// something other than a number, evaluation fails with an
    /// `ExpRsError` of kind `Callback` whose `cause` is what it threw.
    #[wasm_bindgen(js_name = addFunction)]
    pub fn add_function(
        &self,
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "(...args: number[]) => number")] func: Function,
        arity: Option<u32>,
    ) -> Result<(), JsValue> {
        let arity = Arity::Exact(arity.unwrap_or_else(|| func.length()) as usize);
        self.add_native(name, arity, func)
    }

    /// Adds (or replaces) a variadic native function taking at least
    /// `minArgs` arguments (default 0); it is called with the arguments
    /// spread, so `addVariadicFunction('hypot', Math.hypot, 1)` works.
    #[wasm_bindgen(js_name = addVariadicFunction)]
    pub fn add_variadic_function(
        &self,
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "(...args: number[]) => number")] func: Function,
        #[wasm_bindgen(js_name = minArgs)] min_args: Option<u32>,
    ) -> Result<(), JsValue> {
        self.add_native(name, Arity::AtLeast(min_args.unwrap_or(0) as usize), func)
    }

    /// Adds (or replaces) an expression function from its definition,
    /// `name(p1, p2, …) = body`. Its body sees its parameters and this
    /// context's constants, arrays and objects; it may call any function,
    /// itself included. Errors point into `definition`.
    #[wasm_bindgen(js_name = addExpressionFunction)]
    pub fn add_expression_function(&self, definition: &str) -> Result<(), JsValue> {
        let mut inner = self.inner()?;
        let name = match exp_rs::parse_definition(
            definition,
            &exp_rs::bumpalo::Bump::new(),
            inner.live_mut().limits(),
        ) {
            Ok(def) => def.name.to_owned(),
            Err(e) => return Err(error::to_js(e, definition)),
        };
        inner
            .live_mut()
            .add_expression_function(definition)
            .map_err(|e| error::to_js(e, definition))?;
        inner.defs.forget_function(&name);
        inner.defs.functions.push((name, definition.to_owned()));
        Ok(())
    }

    /// Binds (or rebinds) an array for `name[i]` (indices truncate toward
    /// zero; out of range is an `IndexOutOfBounds` error).
    #[wasm_bindgen(js_name = addArray)]
    pub fn add_array(
        &self,
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "ArrayLike<number>")] values: Vec<f64>,
    ) -> Result<(), JsValue> {
        self.inner()?.change(|defs, ctx| match ctx {
            Some(ctx) => ctx.add_array(name, &values),
            None => {
                defs.arrays.insert(name.to_owned(), values.clone());
            }
        });
        Ok(())
    }

    /// Binds (or rebinds) an object for `name.field`, from the object's own
    /// enumerable properties (each must be a number).
    #[wasm_bindgen(js_name = addObject)]
    pub fn add_object(
        &self,
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] fields: JsValue,
    ) -> Result<(), JsValue> {
        let fields = own_numbers(&fields, "addObject: fields")?;
        self.inner()?.change(|defs, ctx| match ctx {
            Some(ctx) => {
                let fields: Vec<(&str, f64)> =
                    fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                ctx.add_object(name, &fields);
            }
            None => {
                defs.objects.insert(name.to_owned(), fields.clone());
            }
        });
        Ok(())
    }

    /// Removes the constant, function (built-ins too), array or object
    /// called `name`; true if there was one.
    pub fn remove(&self, name: &str) -> Result<bool, JsValue> {
        let mut inner = self.inner()?;
        let existed = inner.live_mut().remove(name);
        inner.defs.forget(name);
        if existed {
            inner.defs.removed.insert(name.to_owned());
        }
        Ok(existed)
    }

    /// Replaces the limits: `maxDepth` (nesting, default 256, at most
    /// 1024), `maxLen` (source bytes, default 65536), `maxCalls`
    /// (expression-function call depth, default 256), `maxArenaBytes`
    /// (bytes one compiled expression may take, `null` for no limit, the
    /// default). Missing fields keep their current value.
    #[wasm_bindgen(js_name = setLimits)]
    pub fn set_limits(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Partial<Limits>")] limits: JsValue,
    ) -> Result<(), JsValue> {
        let mut inner = self.inner()?;
        let mut new = *inner.live_mut().limits();
        let mut arena_limit = inner.arena_limit;
        for (key, value) in own_entries(&limits, "setLimits")? {
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
        inner.live_mut().set_limits(new);
        inner.defs.limits = Some(new);
        inner.arena_limit = arena_limit;
        Ok(())
    }

    /// The current limits.
    #[wasm_bindgen(unchecked_return_type = "Limits")]
    pub fn limits(&self) -> Result<JsValue, JsValue> {
        let mut inner = self.inner()?;
        let l = *inner.live_mut().limits();
        let obj = Object::new();
        set(&obj, "maxDepth", l.max_depth.into());
        set(&obj, "maxLen", l.max_len.into());
        set(&obj, "maxCalls", l.max_calls.into());
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
    pub fn compile(&self, src: &str, params: Option<Vec<String>>) -> Result<Expression, JsValue> {
        compile_in(self.core()?, src, params)
    }

    /// Evaluates `src` once against this context; see the module-level
    /// `evaluate`.
    pub fn evaluate(
        &self,
        src: &str,
        #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] vars: Option<JsValue>,
    ) -> Result<f64, JsValue> {
        evaluate_in(self.core()?, src, vars)
    }
}

impl Context {
    fn add_native(&self, name: &str, arity: Arity, func: Function) -> Result<(), JsValue> {
        self.inner()?.change(|defs, ctx| match ctx {
            Some(ctx) => add_native(ctx, name, arity, func.clone()),
            None => {
                defs.forget_function(name);
                defs.natives.insert(name.to_owned(), (arity, func.clone()));
            }
        });
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

/// The own enumerable properties of `value` (a plain object), each of which
/// must be a number. `undefined`/`null` are no properties.
pub(crate) fn own_numbers(value: &JsValue, what: &str) -> Result<Vec<(String, f64)>, JsValue> {
    own_entries(value, what)?
        .into_iter()
        .map(|(key, v)| match v.as_f64() {
            Some(x) => Ok((key, x)),
            None => Err(error::type_error(&format!(
                "{what}: `{key}` is not a number"
            ))),
        })
        .collect()
}

/// The own enumerable properties of `value` (a plain object), as
/// `Object.entries` lists them. `undefined`/`null` are no properties.
fn own_entries(value: &JsValue, what: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(error::type_error(&format!(
            "{what}: expected an object of numbers"
        )));
    }
    let entries = Object::entries(value.unchecked_ref::<Object>());
    Ok(entries
        .iter()
        .map(|entry| {
            let entry: Array = entry.unchecked_into();
            (entry.get(0).as_string().unwrap_or_default(), entry.get(1))
        })
        .collect())
}
