//! The [`Context`]: the names an expression may use besides its parameters.
//!
//! A context is built with the global allocator, then shared: cloning it is
//! cheap (its function, array and object tables sit behind one `Shared`,
//! natives and arrays behind their own; only the constants are copied),
//! and changing a context that has been cloned copies its tables first. A compiled expression holds what it uses itself (folded
//! constants, its compiled expression functions, `Shared`s of its natives and
//! arrays), so it keeps the context as it was when it was compiled, however
//! the context changes later. That is the one rule every door follows.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

use bumpalo::Bump;

use crate::ast::{Ast, AstKind};
use crate::builtins::{BUILTINS, Builtin};
use crate::error::{Error, ErrorKind};
use crate::fallible::{
    AllocError, Shared, abort_on_oom, try_box, try_insert, try_push, try_string,
};
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

/// Why [`Context::try_add_expression_function`] did not add a definition;
/// either way the context is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefineError {
    /// The definition is wrong (syntax, a name its body cannot see), with
    /// a span into it.
    Invalid(Error),
    /// The heap could not hold it.
    OutOfMemory,
}

/// A native function: its arguments in, a value or a [`CallbackError`] out.
pub type NativeFn<R> = dyn Fn(&[R]) -> Result<R, CallbackError>;

/// A native function shared by the contexts and programs that use it. The
/// box inside the [`Shared`] keeps a call one load away, as with an `Arc`:
/// an `Arc<dyn Fn>` finds its closure through the vtable's alignment on
/// every call (measured on the Cortex-M7: about 15 instructions more per
/// native call).
pub(crate) type SharedNative<R> = Shared<Box<NativeFn<R>>>;

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
    Expression(Shared<str>, usize),
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
///
/// # Running out of memory
/// A context lives on the heap. Like `Vec` and `String`, the plain methods
/// abort when the global allocator fails; each has a `try_` twin that
/// returns [`AllocError`] instead and leaves the context unchanged (the C
/// door uses those, so a firmware's `malloc` running dry is a status, not
/// a reset).
pub struct Context<R: Real> {
    /// Each context's own: [`Context::set_var`] changes them through a
    /// shared reference, so clones must not share them.
    constants: NameMap<Cell<R>>,
    tables: Shared<Tables<R>>,
}

impl<R: Real> Clone for Context<R> {
    /// A clone (see the type's docs); aborts if the heap is exhausted, like
    /// `Vec`'s; [`Context::try_clone`] returns the error instead.
    fn clone(&self) -> Self {
        self.try_clone().unwrap_or_else(|_| abort_on_oom())
    }
}

/// What a context binds besides constants. Shared between clones until one
/// of them changes.
struct Tables<R: Real> {
    functions: NameMap<Function<R>>,
    arrays: NameMap<Shared<[R]>>,
    objects: NameMap<NameMap<R>>,
    limits: Limits,
    /// Registered partial derivatives: for a function's name, per
    /// argument, the name of the function that computes it.
    #[cfg(feature = "symbolic")]
    derivatives: NameMap<Derivatives>,
}

/// Per argument of a function, the name of its registered derivative.
#[cfg(feature = "symbolic")]
struct Derivatives(Vec<Option<String>>);

#[cfg(feature = "symbolic")]
impl Derivatives {
    fn try_clone(&self) -> Result<Self, AllocError> {
        let mut out = Vec::new();
        out.try_reserve_exact(self.0.len())
            .map_err(|_| AllocError)?;
        for d in &self.0 {
            let copy = match d {
                Some(s) => Some(try_string(s)?),
                None => None,
            };
            try_push(&mut out, copy)?;
        }
        Ok(Derivatives(out))
    }
}

impl<R: Real> Tables<R> {
    /// A copy for a context that changes tables a clone still shares.
    fn try_clone(&self) -> Result<Self, AllocError> {
        Ok(Tables {
            functions: self.functions.try_clone()?,
            arrays: self.arrays.try_clone()?,
            objects: self.objects.try_clone_with(NameMap::try_clone)?,
            limits: self.limits,
            #[cfg(feature = "symbolic")]
            derivatives: self.derivatives.try_clone_with(Derivatives::try_clone)?,
        })
    }
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
        Context::try_new().unwrap_or_else(|_| abort_on_oom())
    }

    /// [`Context::new`], or [`AllocError`] if the heap cannot hold it.
    pub fn try_new() -> Result<Context<R>, AllocError> {
        let mut ctx = Context::try_empty()?;
        let builtins = BUILTINS.iter().filter(|(_, b)| b.available());
        let functions = &mut ctx.tables_mut()?.functions;
        functions
            .entries
            .try_reserve_exact(builtins.clone().count())
            .map_err(|_| AllocError)?;
        for &(name, builtin) in builtins {
            let def = FunctionDef::Builtin(builtin);
            functions.try_insert(name, Function { def })?;
        }
        ctx.try_set_constant("pi", R::PI)?;
        ctx.try_set_constant("e", R::E)?;
        ctx.try_set_constant("tau", R::TAU)?;
        Ok(ctx)
    }

    /// A context with no functions and no constants.
    pub fn empty() -> Context<R> {
        Context::try_empty().unwrap_or_else(|_| abort_on_oom())
    }

    /// [`Context::empty`], or [`AllocError`] if the heap cannot hold it.
    pub fn try_empty() -> Result<Context<R>, AllocError> {
        Ok(Context {
            constants: NameMap::new(),
            tables: Shared::try_new(Tables {
                functions: NameMap::new(),
                arrays: NameMap::new(),
                objects: NameMap::new(),
                limits: Limits::DEFAULT,
                #[cfg(feature = "symbolic")]
                derivatives: NameMap::new(),
            })?,
        })
    }

    /// A clone (cheap: the tables are shared, the constants copied), or
    /// [`AllocError`].
    pub fn try_clone(&self) -> Result<Context<R>, AllocError> {
        Ok(Context {
            constants: self.constants.try_clone()?,
            tables: self.tables.clone(),
        })
    }

    /// The tables, copied first if a clone still shares them.
    fn tables_mut(&mut self) -> Result<&mut Tables<R>, AllocError> {
        if self.tables.get_mut().is_none() {
            self.tables = Shared::try_new(Tables::try_clone(&self.tables)?)?;
        }
        self.tables.get_mut().ok_or(AllocError)
    }

    /// The limits compiles with this context obey.
    pub fn limits(&self) -> &Limits {
        &self.tables.limits
    }

    /// Replaces the limits (nesting depth, source length, call depth, calls
    /// and steps per evaluation).
    pub fn set_limits(&mut self, limits: Limits) {
        self.try_set_limits(limits)
            .unwrap_or_else(|_| abort_on_oom());
    }

    /// [`Context::set_limits`], or [`AllocError`] (changing a context
    /// whose tables a clone shares copies them).
    pub fn try_set_limits(&mut self, limits: Limits) -> Result<(), AllocError> {
        self.tables_mut()?.limits = limits;
        Ok(())
    }

    /// Binds (or rebinds) a constant. Constants are folded into programs at
    /// compile time; [`eval_ast`](crate::eval_ast) reads them as its
    /// variables on every call.
    pub fn set_constant(&mut self, name: &str, value: R) {
        self.try_set_constant(name, value)
            .unwrap_or_else(|_| abort_on_oom());
    }

    /// [`Context::set_constant`], or [`AllocError`] with nothing changed.
    pub fn try_set_constant(&mut self, name: &str, value: R) -> Result<(), AllocError> {
        self.constants.try_insert(name, Cell::new(value))
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
        self.try_add_fallible_function(name, arity, f)
            .unwrap_or_else(|_| abort_on_oom());
    }

    /// [`Context::add_function`], or [`AllocError`] with nothing changed.
    pub fn try_add_function(
        &mut self,
        name: &str,
        arity: Arity,
        f: impl Fn(&[R]) -> R + 'static,
    ) -> Result<(), AllocError> {
        self.try_add_fallible_function(name, arity, move |args| Ok(f(args)))
    }

    /// [`Context::add_fallible_function`], or [`AllocError`] with nothing
    /// changed.
    pub fn try_add_fallible_function(
        &mut self,
        name: &str,
        arity: Arity,
        f: impl Fn(&[R]) -> Result<R, CallbackError> + 'static,
    ) -> Result<(), AllocError> {
        let native: Box<NativeFn<R>> = try_box(f)?;
        let def = FunctionDef::Native(arity, Shared::try_new(native)?);
        self.tables_mut()?
            .functions
            .try_insert(name, Function { def })
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
        match self.try_add_expression_function(definition) {
            Ok(()) => Ok(()),
            Err(DefineError::Invalid(e)) => Err(e),
            Err(DefineError::OutOfMemory) => abort_on_oom(),
        }
    }

    /// [`Context::add_expression_function`], with running out of heap
    /// memory as [`DefineError::OutOfMemory`] (nothing changed) instead of
    /// an abort.
    pub fn try_add_expression_function(&mut self, definition: &str) -> Result<(), DefineError> {
        let arena = Bump::new();
        // Parsed into a scratch arena on the heap, which has no limit: if
        // it is full, the heap is.
        let def = parse_definition(definition, &arena, self.limits()).map_err(|e| {
            if e.kind == ErrorKind::ArenaFull {
                DefineError::OutOfMemory
            } else {
                DefineError::Invalid(e)
            }
        })?;
        let def_name = def.name;
        let known = |name: &str| !matches!(resolve::lookup(name, def.params, self), Entry::Unknown);
        let mut unknown = None;
        let walked = def.body.try_walk(&mut |node: &Ast<'_>| {
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
            return Err(DefineError::Invalid(Error::new(
                ErrorKind::UnknownVariable,
                span,
            )));
        }
        walked.map_err(|_| DefineError::OutOfMemory)?;
        let source = Shared::try_from_str(definition).map_err(|_| DefineError::OutOfMemory)?;
        let def = FunctionDef::Expression(source, def.params.len());
        self.tables_mut()
            .and_then(|t| t.functions.try_insert(def_name, Function { def }))
            .map_err(|_| DefineError::OutOfMemory)
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
        self.try_set_derivative(name, arg, derivative)
            .unwrap_or_else(|_| abort_on_oom());
    }

    /// [`Context::set_derivative`], or [`AllocError`] with nothing changed.
    #[cfg(feature = "symbolic")]
    pub fn try_set_derivative(
        &mut self,
        name: &str,
        arg: usize,
        derivative: &str,
    ) -> Result<(), AllocError> {
        let derivative = try_string(derivative)?;
        let slots = arg.checked_add(1).ok_or(AllocError)?;
        let table = &mut self.tables_mut()?.derivatives;
        match table.get_mut(name) {
            Some(Derivatives(list)) => crate::fallible::try_fill(list, slots, None)?,
            None => {
                // The whole entry first, then in: nothing half-made stays.
                let mut list = Vec::new();
                crate::fallible::try_fill(&mut list, slots, None)?;
                table.try_insert(name, Derivatives(list))?;
            }
        }
        if let Some(slot) = table
            .get_mut(name)
            .and_then(|Derivatives(list)| list.get_mut(arg))
        {
            *slot = Some(derivative);
        }
        Ok(())
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
        let derivative = String::from(def.name);
        self.add_expression_function(definition)?;
        self.set_derivative(name, arg, &derivative);
        Ok(())
    }

    /// The function registered as the partial derivative of `name` with
    /// respect to argument `arg`, if any.
    #[cfg(feature = "symbolic")]
    pub fn derivative_of(&self, name: &str, arg: usize) -> Option<&str> {
        self.tables.derivatives.get(name)?.0.get(arg)?.as_deref()
    }

    /// True when some partial derivative of `name` is registered.
    #[cfg(feature = "symbolic")]
    pub(crate) fn has_derivatives(&self, name: &str) -> bool {
        self.tables.derivatives.get(name).is_some()
    }

    /// Binds (or rebinds) an array for `name[i]`.
    pub fn add_array(&mut self, name: &str, values: &[R]) {
        self.try_add_array(name, values)
            .unwrap_or_else(|_| abort_on_oom());
    }

    /// [`Context::add_array`], or [`AllocError`] with nothing changed.
    pub fn try_add_array(&mut self, name: &str, values: &[R]) -> Result<(), AllocError> {
        let values = Shared::try_from_slice(values)?;
        self.tables_mut()?.arrays.try_insert(name, values)
    }

    /// Binds (or rebinds) an object with named fields for `name.field`.
    pub fn add_object(&mut self, name: &str, fields: &[(&str, R)]) {
        self.try_add_object(name, fields)
            .unwrap_or_else(|_| abort_on_oom());
    }

    /// [`Context::add_object`], or [`AllocError`] with nothing changed.
    pub fn try_add_object(&mut self, name: &str, fields: &[(&str, R)]) -> Result<(), AllocError> {
        let mut map = NameMap::new();
        map.entries
            .try_reserve_exact(fields.len())
            .map_err(|_| AllocError)?;
        for &(k, v) in fields {
            map.try_insert(k, v)?;
        }
        self.tables_mut()?.objects.try_insert(name, map)
    }

    /// Removes a constant, function, array or object of that name (and the
    /// derivatives registered for a function); true if something was
    /// removed.
    pub fn remove(&mut self, name: &str) -> bool {
        self.try_remove(name).unwrap_or_else(|_| abort_on_oom())
    }

    /// [`Context::remove`], or [`AllocError`] with nothing changed
    /// (removing from tables a clone shares copies them first).
    pub fn try_remove(&mut self, name: &str) -> Result<bool, AllocError> {
        let bound = |t: &Tables<R>| {
            t.functions.get(name).is_some()
                || t.arrays.get(name).is_some()
                || t.objects.get(name).is_some()
        };
        let t = if bound(&self.tables) {
            Some(self.tables_mut()?)
        } else {
            None
        };
        let (mut b, mut c, mut d) = (false, false, false);
        if let Some(t) = t {
            b = t.functions.remove(name).is_some();
            c = t.arrays.remove(name).is_some();
            d = t.objects.remove(name).is_some();
            // Its registered derivatives go with the function.
            #[cfg(feature = "symbolic")]
            if b {
                t.derivatives.remove(name);
            }
        }
        let a = self.constants.remove(name).is_some();
        Ok(a || b || c || d)
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
    pub(crate) fn array_arc(&self, name: &str) -> Option<&Shared<[R]>> {
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
struct NameMap<V> {
    entries: Vec<(String, V)>,
}

impl<V> NameMap<V> {
    /// A copy, each value copied by `copy`; or [`AllocError`].
    fn try_clone_with(
        &self,
        copy: impl Fn(&V) -> Result<V, AllocError>,
    ) -> Result<Self, AllocError> {
        let mut entries = Vec::new();
        entries
            .try_reserve_exact(self.entries.len())
            .map_err(|_| AllocError)?;
        for (k, v) in &self.entries {
            try_push(&mut entries, (try_string(k)?, copy(v)?))?;
        }
        Ok(NameMap { entries })
    }

    /// A copy (the values are cheap to clone); or [`AllocError`].
    fn try_clone(&self) -> Result<Self, AllocError>
    where
        V: Clone,
    {
        self.try_clone_with(|v| Ok(v.clone()))
    }
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

    /// Binds `name` to `value`, replacing what it was bound to; or
    /// [`AllocError`] with nothing changed.
    fn try_insert(&mut self, name: &str, value: V) -> Result<(), AllocError> {
        match self.find(name) {
            Ok(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    slot.1 = value;
                }
                Ok(())
            }
            Err(i) => try_insert(&mut self.entries, i, (try_string(name)?, value)),
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
