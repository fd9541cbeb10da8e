//! The [`Context`]: the names an expression may use besides its parameters.
//!
//! A context is built with the global allocator, then shared: cloning it is
//! cheap (its function, array and object tables sit behind one `Arc`,
//! natives and arrays behind their own; only the constants are copied),
//! and changing a context that has been cloned copies its tables first. A compiled expression holds what it uses itself (folded
//! constants, its compiled expression functions, `Arc`s of its natives and
//! arrays), so it keeps the context as it was when it was compiled, however
//! the context changes later. That is the one rule every door follows.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::Cell;

use bumpalo::Bump;

use crate::ast::{Ast, AstKind};
use crate::builtins::{BUILTINS, Builtin};
use crate::error::{Error, ErrorKind};
use crate::parser::{Limits, parse_definition};
use crate::real::Real;
use crate::resolve::{self, Entry};

/// How many arguments a function takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    Exact(usize),
    /// This many or more (variadic).
    AtLeast(usize),
}

impl Arity {
    /// True when `n` arguments are accepted.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Exact(k) => n == k,
            Arity::AtLeast(k) => n >= k,
        }
    }
}

/// The error a fallible native function returns; evaluation then fails with
/// [`ErrorKind::Callback`] at the call's span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CallbackError;

/// A native function: its arguments in, a value or a [`CallbackError`] out.
pub type NativeFn<R> = dyn Fn(&[R]) -> Result<R, CallbackError>;

/// A native function shared by the contexts and programs that use it. The
/// box inside the `Arc` keeps a call one load away: an `Arc<dyn Fn>` finds
/// its closure through the vtable's alignment on every call (measured on
/// the Cortex-M7: about 15 instructions more per native call).
#[allow(clippy::redundant_allocation)]
pub(crate) type SharedNative<R> = Arc<alloc::boxed::Box<NativeFn<R>>>;

/// What kind of function a name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    /// A built-in of SPEC.md.
    Builtin,
    /// A caller's native function.
    Native,
    /// A caller's expression function `name(params…) = body`.
    Expression,
}

/// A function bound in a [`Context`]: a built-in, a native function or an
/// expression function.
#[derive(Clone)]
pub struct Function<R: Real> {
    pub(crate) def: FunctionDef<R>,
}

/// How a function is defined; only the compiler and the walker look inside.
#[derive(Clone)]
pub(crate) enum FunctionDef<R: Real> {
    Builtin(Builtin),
    Native(Arity, SharedNative<R>),
    /// The whole definition as given, and its parameter count. Parsed again
    /// into the arena of each compile that calls it.
    Expression(Arc<str>, usize),
}

impl<R: Real> Function<R> {
    /// The arity this function accepts.
    pub fn arity(&self) -> Arity {
        match &self.def {
            FunctionDef::Builtin(Builtin::F1(_)) => Arity::Exact(1),
            FunctionDef::Builtin(Builtin::F2(_)) => Arity::Exact(2),
            FunctionDef::Builtin(Builtin::Min | Builtin::Max) => Arity::AtLeast(1),
            FunctionDef::Builtin(Builtin::Clamp) => Arity::Exact(3),
            FunctionDef::Native(arity, _) => *arity,
            FunctionDef::Expression(_, n) => Arity::Exact(*n),
        }
    }

    /// Built-in, native or expression function.
    pub fn kind(&self) -> FunctionKind {
        match self.def {
            FunctionDef::Builtin(_) => FunctionKind::Builtin,
            FunctionDef::Native(..) => FunctionKind::Native,
            FunctionDef::Expression(..) => FunctionKind::Expression,
        }
    }

    /// The definition of an expression function, as it was given.
    pub fn definition(&self) -> Option<&str> {
        match &self.def {
            FunctionDef::Expression(source, _) => Some(source),
            _ => None,
        }
    }
}

/// The names an expression can use besides its parameters: constants,
/// functions (built-in, native, expression), arrays and objects, plus the
/// [`Limits`] every compile obeys.
///
/// # Example
/// ```
/// use exp_rs::{Arity, Context, Expr};
/// let mut ctx = Context::<f64>::new();
/// ctx.set_constant("g", 9.81);
/// ctx.add_function("twice", Arity::Exact(1), |a| 2.0 * a[0]);
/// ctx.add_expression_function("hyp(a, b) = sqrt(a^2 + b^2)").unwrap();
/// ctx.add_array("lut", &[0.0, 10.0, 20.0]);
/// ctx.add_object("cal", &[("gain", 2.0), ("offset", 0.5)]);
///
/// let arena = bumpalo::Bump::new();
/// let e = Expr::compile("twice(hyp(3, 4)) + lut[1] + cal.gain * x - g", &["x"], &ctx, &arena).unwrap();
/// assert_eq!(e.eval(&[1.0]).unwrap(), 10.0 + 10.0 + 2.0 - 9.81);
/// ```
#[derive(Clone)]
pub struct Context<R: Real> {
    /// Each context's own: [`Context::set_var`] changes them through a
    /// shared reference, so clones must not share them.
    constants: NameMap<Cell<R>>,
    tables: Arc<Tables<R>>,
}

/// What a context binds besides constants. Shared between clones until one
/// of them changes.
#[derive(Clone)]
struct Tables<R: Real> {
    functions: NameMap<Function<R>>,
    arrays: NameMap<Arc<[R]>>,
    objects: NameMap<NameMap<R>>,
    limits: Limits,
    /// Registered partial derivatives: for a function's name, per
    /// argument, the name of the function that computes it.
    #[cfg(feature = "symbolic")]
    derivatives: NameMap<alloc::vec::Vec<Option<String>>>,
}

impl<R: Real> Default for Context<R> {
    fn default() -> Self {
        Context::new()
    }
}

impl<R: Real> Context<R> {
    /// A context with every built-in function of SPEC.md and the constants
    /// `pi`, `e` and `tau`.
    pub fn new() -> Context<R> {
        let mut ctx = Context::empty();
        for &(name, builtin) in BUILTINS.iter().filter(|(_, b)| b.available()) {
            let def = FunctionDef::Builtin(builtin);
            ctx.tables_mut()
                .functions
                .insert(name.to_string(), Function { def });
        }
        ctx.set_constant("pi", R::PI);
        ctx.set_constant("e", R::E);
        ctx.set_constant("tau", R::TAU);
        ctx
    }

    /// A context with no functions and no constants.
    pub fn empty() -> Context<R> {
        Context {
            constants: NameMap::new(),
            tables: Arc::new(Tables {
                functions: NameMap::new(),
                arrays: NameMap::new(),
                objects: NameMap::new(),
                limits: Limits::DEFAULT,
                #[cfg(feature = "symbolic")]
                derivatives: NameMap::new(),
            }),
        }
    }

    /// The tables, copied first if a clone still shares them.
    fn tables_mut(&mut self) -> &mut Tables<R> {
        Arc::make_mut(&mut self.tables)
    }

    /// The limits compiles with this context obey.
    pub fn limits(&self) -> &Limits {
        &self.tables.limits
    }

    /// Replaces the limits (nesting depth, source length, call depth, calls
    /// and steps per evaluation).
    pub fn set_limits(&mut self, limits: Limits) {
        self.tables_mut().limits = limits;
    }

    /// Binds (or rebinds) a constant. Constants are folded into programs at
    /// compile time; [`eval_ast`](crate::eval_ast) reads them as its
    /// variables on every call.
    pub fn set_constant(&mut self, name: &str, value: R) {
        self.constants.insert(name.to_string(), Cell::new(value));
    }

    /// Changes the value of an existing constant through a shared
    /// reference, the way the original exp-rs updated variables between
    /// [`eval_ast`](crate::eval_ast) calls. Returns false (and changes
    /// nothing) if there is no such constant. Programs compiled earlier keep
    /// the value they folded in; parameters are the way to feed compiled
    /// expressions. Only this context changes, not its clones.
    ///
    /// # Example
    /// ```
    /// let mut ctx = exp_rs::Context::<f64>::new();
    /// ctx.set_constant("x", 1.0);
    /// let context = &ctx;
    /// assert!(context.set_var("x", 2.0));
    /// assert!(!context.set_var("nope", 2.0));
    /// assert_eq!(context.constant("x"), Some(2.0));
    /// ```
    pub fn set_var(&self, name: &str, value: R) -> bool {
        self.constants.get(name).map(|c| c.set(value)).is_some()
    }

    /// The value of a constant.
    pub fn constant(&self, name: &str) -> Option<R> {
        self.constants.get(name).map(Cell::get)
    }

    /// Adds (or replaces, including a built-in) a native function.
    pub fn add_function(&mut self, name: &str, arity: Arity, f: impl Fn(&[R]) -> R + 'static) {
        self.add_fallible_function(name, arity, move |args| Ok(f(args)));
    }

    /// Adds (or replaces) a native function that may fail; a failure stops
    /// evaluation with [`ErrorKind::Callback`].
    pub fn add_fallible_function(
        &mut self,
        name: &str,
        arity: Arity,
        f: impl Fn(&[R]) -> Result<R, CallbackError> + 'static,
    ) {
        let def = FunctionDef::Native(arity, Arc::new(alloc::boxed::Box::new(f)));
        self.tables_mut()
            .functions
            .insert(name.to_string(), Function { def });
    }

    /// Adds (or replaces) an expression function from its definition,
    /// `name(p1, p2, …) = body`. Syntax errors and names the body cannot
    /// see (it sees its parameters and the constants, arrays and objects of
    /// this context, not the caller's parameters) are reported now, with
    /// spans into `definition`. Functions it calls are looked up when an
    /// expression using it is compiled, so definitions may refer to each
    /// other in any order, and to themselves (recursion).
    ///
    /// # Example
    /// ```
    /// let mut ctx = exp_rs::Context::<f64>::new();
    /// ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)").unwrap();
    /// let arena = bumpalo::Bump::new();
    /// let e = exp_rs::Expr::compile("fact(5)", &[], &ctx, &arena).unwrap();
    /// assert_eq!(e.eval(&[]).unwrap(), 120.0);
    /// ```
    pub fn add_expression_function(&mut self, definition: &str) -> Result<(), Error> {
        let arena = Bump::new();
        let def = parse_definition(definition, &arena, self.limits())?;
        let def_name = def.name;
        let known = |name: &str| !matches!(resolve::lookup(name, def.params, self), Entry::Unknown);
        let mut unknown = None;
        def.body.walk(&mut |node: &Ast<'_>| {
            let (name, span) = match node.kind {
                AstKind::Name(n) => (n, node.span),
                AstKind::Index {
                    name, name_span, ..
                } => (name, name_span),
                AstKind::Field {
                    object,
                    object_span,
                    ..
                } => (object, object_span),
                _ => return,
            };
            if unknown.is_none() && !known(name) {
                unknown = Some(span);
            }
        });
        if let Some(span) = unknown {
            return Err(Error::new(ErrorKind::UnknownVariable, span));
        }
        let def = FunctionDef::Expression(Arc::from(definition), def.params.len());
        let name = def_name.to_string();
        self.tables_mut().functions.insert(name, Function { def });
        Ok(())
    }

    /// Registers the partial derivative of function `name` with respect
    /// to its argument `arg` (0-based): `derivative` names another function
    /// of this context (a native, an expression function, a built-in) that
    /// takes the same arguments and returns `∂name/∂arg`. This is how a
    /// native function becomes differentiable; it also overrides the rule
    /// of a built-in or the body of an expression function. The name is
    /// looked up when a derivative is taken.
    ///
    /// # Example
    /// ```
    /// use exp_rs::{Arity, Context, Expr};
    /// let mut ctx = Context::<f64>::new();
    /// ctx.add_function("sq", Arity::Exact(1), |a| a[0] * a[0]);
    /// ctx.add_function("twice", Arity::Exact(1), |a| 2.0 * a[0]);
    /// ctx.set_derivative("sq", 0, "twice");
    /// let arena = bumpalo::Bump::new();
    /// let f = Expr::compile("sq(3 * x)", &["x"], &ctx, &arena).unwrap();
    /// let df = f.derivative("x").unwrap();
    /// assert_eq!(df.to_string(), "3 * twice(3 * x)");
    /// assert_eq!(df.eval(&[1.0]).unwrap(), 18.0);
    /// ```
    #[cfg(feature = "symbolic")]
    pub fn set_derivative(&mut self, name: &str, arg: usize, derivative: &str) {
        let table = &mut self.tables_mut().derivatives;
        if table.get(name).is_none() {
            table.insert(name.to_string(), Vec::new());
        }
        let Some(list) = table.get_mut(name) else {
            return;
        };
        if list.len() <= arg {
            list.resize(arg + 1, None);
        }
        if let Some(slot) = list.get_mut(arg) {
            *slot = Some(derivative.to_string());
        }
    }

    /// Adds the expression function `definition` (see
    /// [`Context::add_expression_function`]) and registers it as the
    /// partial derivative of `name` with respect to argument `arg` (see
    /// [`Context::set_derivative`]).
    ///
    /// ```
    /// use exp_rs::{Arity, Context, Expr};
    /// let mut ctx = Context::<f64>::new();
    /// ctx.add_function("cube", Arity::Exact(1), |a| a[0] * a[0] * a[0]);
    /// ctx.set_derivative_expression("cube", 0, "cube_d(t) = 3 * t^2").unwrap();
    /// let arena = bumpalo::Bump::new();
    /// let f = Expr::compile("cube(x)", &["x"], &ctx, &arena).unwrap();
    /// assert_eq!(f.derivative("x").unwrap().eval(&[2.0]).unwrap(), 12.0);
    /// ```
    #[cfg(feature = "symbolic")]
    pub fn set_derivative_expression(
        &mut self,
        name: &str,
        arg: usize,
        definition: &str,
    ) -> Result<(), Error> {
        let arena = Bump::new();
        let def = parse_definition(definition, &arena, self.limits())?;
        let derivative = def.name.to_string();
        self.add_expression_function(definition)?;
        self.set_derivative(name, arg, &derivative);
        Ok(())
    }

    /// The function registered as the partial derivative of `name` with
    /// respect to argument `arg`, if any.
    #[cfg(feature = "symbolic")]
    pub fn derivative_of(&self, name: &str, arg: usize) -> Option<&str> {
        self.tables.derivatives.get(name)?.get(arg)?.as_deref()
    }

    /// True when some partial derivative of `name` is registered.
    #[cfg(feature = "symbolic")]
    pub(crate) fn has_derivatives(&self, name: &str) -> bool {
        self.tables.derivatives.get(name).is_some()
    }

    /// Binds (or rebinds) an array for `name[i]`.
    pub fn add_array(&mut self, name: &str, values: &[R]) {
        self.tables_mut()
            .arrays
            .insert(name.to_string(), Arc::from(values));
    }

    /// Binds (or rebinds) an object with named fields for `name.field`.
    pub fn add_object(&mut self, name: &str, fields: &[(&str, R)]) {
        let mut map = NameMap::new();
        for &(k, v) in fields {
            map.insert(k.to_string(), v);
        }
        self.tables_mut().objects.insert(name.to_string(), map);
    }

    /// Removes a constant, function, array or object of that name (and the
    /// derivatives registered for a function); true if something was
    /// removed.
    pub fn remove(&mut self, name: &str) -> bool {
        let a = self.constants.remove(name).is_some();
        let t = self.tables_mut();
        let b = t.functions.remove(name).is_some();
        let c = t.arrays.remove(name).is_some();
        let d = t.objects.remove(name).is_some();
        // Its registered derivatives go with the function.
        #[cfg(feature = "symbolic")]
        if b {
            t.derivatives.remove(name);
        }
        a || b || c || d
    }

    /// The function bound to `name`.
    pub fn function(&self, name: &str) -> Option<&Function<R>> {
        self.tables.functions.get(name)
    }

    /// The array bound to `name`.
    pub fn array(&self, name: &str) -> Option<&[R]> {
        self.tables.arrays.get(name).map(|a| &a[..])
    }

    /// The array bound to `name`, shared (a program keeps it alive).
    pub(crate) fn array_arc(&self, name: &str) -> Option<&Arc<[R]>> {
        self.tables.arrays.get(name)
    }

    /// The fields of the object bound to `name`, sorted by field name
    /// (a field given twice keeps its last value).
    pub fn object(&self, name: &str) -> Option<&[(String, R)]> {
        self.tables.objects.get(name).map(|m| &m.entries[..])
    }

    /// Every function name, sorted (for completion lists and docs).
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        self.tables.functions.iter().map(|(k, _)| k)
    }

    /// Every constant, sorted by name.
    pub fn constants(&self) -> impl Iterator<Item = (&str, R)> {
        self.constants.iter().map(|(k, v)| (k, v.get()))
    }
}

/// A map from names to `V`: a vector sorted by name, searched by
/// bisection. Contexts hold tens of names, not thousands; this is a few
/// hundred bytes of code per value type where a `BTreeMap` is kilobytes
/// (issue 14), with the same order for iteration.
#[derive(Clone)]
struct NameMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> NameMap<V> {
    const fn new() -> Self {
        NameMap {
            entries: Vec::new(),
        }
    }

    /// Where `name` is, or where it would go.
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    fn get(&self, name: &str) -> Option<&V> {
        let i = self.find(name).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    #[cfg(feature = "symbolic")]
    fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        let i = self.find(name).ok()?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// Binds `name` to `value`, replacing what it was bound to.
    fn insert(&mut self, name: String, value: V) {
        match self.find(&name) {
            Ok(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.entries.insert(i, (name, value)),
        }
    }

    /// Unbinds `name`; `Some` if it was bound.
    fn remove(&mut self, name: &str) -> Option<V> {
        let i = self.find(name).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// The entries, sorted by name.
    fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}
