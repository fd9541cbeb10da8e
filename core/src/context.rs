//! The [`Context`]: the names an expression may use besides its parameters.
//!
//! A context is built once (it uses the global allocator for its tables),
//! then shared by reference by every compile. Nothing in it is looked up
//! during evaluation: the compiler resolves each name once.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;

use bumpalo::Bump;

use crate::ast::{Ast, AstKind};
use crate::builtins::{BUILTINS, Builtin};
use crate::error::{Error, ErrorKind};
use crate::parser::{Limits, parse_definition};
use crate::real::Real;

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

/// A native function with its arity.
pub struct Native<R: Real> {
    /// How many arguments it takes.
    pub arity: Arity,
    /// The callback.
    pub func: Box<NativeFn<R>>,
}

/// An expression function `name(params…) = body`, kept as source and
/// parsed again into the arena of each compile that calls it.
#[derive(Clone, Debug)]
pub struct ExprFunction {
    /// The whole definition as given, `hyp(a, b) = sqrt(a^2 + b^2)`.
    pub source: String,
    /// Its parameter count.
    pub arity: usize,
}

/// What a function name stands for.
pub enum Function<R: Real> {
    /// A built-in of SPEC.md.
    Builtin(Builtin),
    /// A caller's native function.
    Native(Native<R>),
    /// A caller's expression function.
    Expr(ExprFunction),
}

impl<R: Real> Function<R> {
    /// The arity this function accepts.
    pub fn arity(&self) -> Arity {
        match self {
            Function::Builtin(Builtin::F1(_)) => Arity::Exact(1),
            Function::Builtin(Builtin::F2(_)) => Arity::Exact(2),
            Function::Builtin(Builtin::Min | Builtin::Max) => Arity::AtLeast(1),
            Function::Builtin(Builtin::Clamp) => Arity::Exact(3),
            Function::Native(n) => n.arity,
            Function::Expr(e) => Arity::Exact(e.arity),
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
pub struct Context<R: Real> {
    constants: BTreeMap<String, Cell<R>>,
    functions: BTreeMap<String, Function<R>>,
    arrays: BTreeMap<String, Vec<R>>,
    objects: BTreeMap<String, BTreeMap<String, R>>,
    limits: Limits,
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
        for &(name, builtin) in BUILTINS {
            ctx.functions
                .insert(name.to_string(), Function::Builtin(builtin));
        }
        ctx.set_constant("pi", R::PI);
        ctx.set_constant("e", R::E);
        ctx.set_constant("tau", R::TAU);
        ctx
    }

    /// A context with no functions and no constants.
    pub fn empty() -> Context<R> {
        Context {
            constants: BTreeMap::new(),
            functions: BTreeMap::new(),
            arrays: BTreeMap::new(),
            objects: BTreeMap::new(),
            limits: Limits::DEFAULT,
        }
    }

    /// The limits compiles with this context obey.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Replaces the limits (nesting depth, source length, call depth, calls
    /// per evaluation).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
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
    /// expressions.
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
        let native = Native {
            arity,
            func: Box::new(f),
        };
        self.functions
            .insert(name.to_string(), Function::Native(native));
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
        let def = parse_definition(definition, &arena, &self.limits)?;
        let mut unknown = None;
        def.body.walk(&mut |node: &Ast<'_>| {
            if unknown.is_some() {
                return;
            }
            let bad = match node.kind {
                AstKind::Name(n) => !def.params.contains(&n) && !self.has_value_name(n),
                AstKind::Index { name, .. } => {
                    !def.params.contains(&name) && !self.has_value_name(name)
                }
                AstKind::Field { object, .. } => {
                    !def.params.contains(&object) && !self.has_value_name(object)
                }
                _ => false,
            };
            if bad {
                unknown = Some(match node.kind {
                    AstKind::Index { name_span, .. } => name_span,
                    AstKind::Field { object_span, .. } => object_span,
                    _ => node.span,
                });
            }
        });
        if let Some(span) = unknown {
            return Err(Error::new(ErrorKind::UnknownVariable, span));
        }
        let function = ExprFunction {
            source: definition.to_string(),
            arity: def.params.len(),
        };
        self.functions
            .insert(def.name.to_string(), Function::Expr(function));
        Ok(())
    }

    /// A name the compiler can resolve to something other than a function
    /// (wrong uses such as an array as a value are reported at compile time).
    fn has_value_name(&self, name: &str) -> bool {
        self.constants.contains_key(name)
            || self.arrays.contains_key(name)
            || self.objects.contains_key(name)
            || self.functions.contains_key(name)
    }

    /// Binds (or rebinds) an array for `name[i]`.
    pub fn add_array(&mut self, name: &str, values: &[R]) {
        self.arrays.insert(name.to_string(), values.to_vec());
    }

    /// Binds (or rebinds) an object with named fields for `name.field`.
    pub fn add_object(&mut self, name: &str, fields: &[(&str, R)]) {
        let fields = fields.iter().map(|&(k, v)| (k.to_string(), v)).collect();
        self.objects.insert(name.to_string(), fields);
    }

    /// Removes a constant, function, array or object of that name; true if
    /// something was removed.
    pub fn remove(&mut self, name: &str) -> bool {
        let a = self.constants.remove(name).is_some();
        let b = self.functions.remove(name).is_some();
        let c = self.arrays.remove(name).is_some();
        let d = self.objects.remove(name).is_some();
        a || b || c || d
    }

    /// The function bound to `name`.
    pub fn function(&self, name: &str) -> Option<&Function<R>> {
        self.functions.get(name)
    }

    /// The array bound to `name`.
    pub fn array(&self, name: &str) -> Option<&[R]> {
        self.arrays.get(name).map(Vec::as_slice)
    }

    /// The fields of the object bound to `name`.
    pub fn object(&self, name: &str) -> Option<&BTreeMap<String, R>> {
        self.objects.get(name)
    }

    /// Every function name, sorted (for completion lists and docs).
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    /// Every constant, sorted by name.
    pub fn constants(&self) -> impl Iterator<Item = (&str, R)> {
        self.constants.iter().map(|(k, v)| (k.as_str(), v.get()))
    }
}
