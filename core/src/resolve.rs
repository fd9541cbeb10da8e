//! Name resolution: SPEC.md's table, written once.
//!
//! A name is looked up in one scope chain: the parameters of the scope
//! first (the declared parameters at top level, the function's own inside
//! an expression-function body), then the context's constants, arrays,
//! objects and functions, in that order. What the name may stand for
//! depends on where it is written:
//!
//! | written  | number      | array       | object                 | function         | unknown           |
//! |----------|-------------|-------------|------------------------|------------------|-------------------|
//! | `n`      | its value   | `NotAValue` | `NotAValue`            | `NotAValue`      | `UnknownVariable` |
//! | `n[i]`   | `NotAnArray`| element     | `NotAnArray`           | `NotAnArray`     | `UnknownVariable` |
//! | `n.f`    | `UnknownField` (at `f`) | `UnknownField` | field or `UnknownField` | `UnknownField` | `UnknownVariable` |
//! | `n(...)` | looks among functions only: call (checked `Arity`) or `UnknownFunction` |
//!
//! The compiler, the tree walker and [`Context::add_expression_function`]
//! all call these functions, so every path resolves alike.

use crate::fallible::Shared;
use alloc::string::String;

use crate::context::{Context, Function};
use crate::error::{Error, ErrorKind, Span};
use crate::real::Real;

/// What a name stands for in a scope.
pub(crate) enum Entry<'c, R: Real> {
    /// Parameter `i` of the scope.
    Param(u32),
    /// A constant of the context.
    Constant(R),
    /// An array of the context.
    Array(&'c Shared<[R]>),
    /// An object of the context.
    Object(&'c [(String, R)]),
    /// A function of the context (as a value, index or object: an error).
    Function,
    /// Nothing.
    Unknown,
}

/// Looks `name` up: `params` first, then the context.
pub(crate) fn lookup<'c, R: Real>(
    name: &str,
    params: &[&str],
    ctx: &'c Context<R>,
) -> Entry<'c, R> {
    if let Some(i) = params.iter().position(|p| *p == name) {
        return Entry::Param(i as u32);
    }
    if let Some(k) = ctx.constant(name) {
        return Entry::Constant(k);
    }
    if let Some(a) = ctx.array_arc(name) {
        return Entry::Array(a);
    }
    if let Some(o) = ctx.object(name) {
        return Entry::Object(o);
    }
    if ctx.function(name).is_some() {
        return Entry::Function;
    }
    Entry::Unknown
}

/// A name written as a value, resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Value<R> {
    /// Parameter `i` of the scope.
    Param(u32),
    /// A known constant.
    Constant(R),
    /// Bound to nothing: `UnknownVariable`, or a new parameter where the
    /// API collects free names.
    Free,
}

/// `n`: a number, or `NotAValue` for arrays, objects and functions.
pub(crate) fn value<R: Real>(
    name: &str,
    span: Span,
    params: &[&str],
    ctx: &Context<R>,
) -> Result<Value<R>, Error> {
    match lookup(name, params, ctx) {
        Entry::Param(i) => Ok(Value::Param(i)),
        Entry::Constant(k) => Ok(Value::Constant(k)),
        Entry::Array(_) | Entry::Object(_) | Entry::Function => {
            Err(Error::new(ErrorKind::NotAValue, span))
        }
        Entry::Unknown => Ok(Value::Free),
    }
}

/// `n[i]`: the array, `NotAnArray` for anything else that is bound,
/// `UnknownVariable` for nothing.
pub(crate) fn index<'c, R: Real>(
    name: &str,
    span: Span,
    params: &[&str],
    ctx: &'c Context<R>,
) -> Result<&'c Shared<[R]>, Error> {
    match lookup(name, params, ctx) {
        Entry::Array(a) => Ok(a),
        Entry::Unknown => Err(Error::new(ErrorKind::UnknownVariable, span)),
        _ => Err(Error::new(ErrorKind::NotAnArray, span)),
    }
}

/// `n.f`, resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Field<R> {
    /// A parameter declared under the dotted name `n.f` (a batch's
    /// `sensor.x`).
    Param(u32),
    /// The field's value.
    Constant(R),
    /// `n` is bound to nothing: `UnknownVariable` at `n`, or a new
    /// parameter `n.f` where the API collects free names.
    Free,
}

/// `n.f`: the field of an object; `UnknownField` (at the field) for a
/// missing field or anything else that is bound.
pub(crate) fn field<R: Real>(
    object: &str,
    field: &str,
    field_span: Span,
    params: &[&str],
    ctx: &Context<R>,
) -> Result<Field<R>, Error> {
    let dotted = params.iter().position(|p| {
        p.len() == object.len() + 1 + field.len()
            && p.starts_with(object)
            && p.ends_with(field)
            && p.as_bytes().get(object.len()) == Some(&b'.')
    });
    if let Some(i) = dotted {
        return Ok(Field::Param(i as u32));
    }
    match lookup(object, params, ctx) {
        Entry::Object(fields) => match fields
            .binary_search_by(|(k, _)| k.as_str().cmp(field))
            .ok()
            .and_then(|i| fields.get(i))
        {
            Some(&(_, v)) => Ok(Field::Constant(v)),
            None => Err(Error::new(ErrorKind::UnknownField, field_span)),
        },
        Entry::Unknown => Ok(Field::Free),
        _ => Err(Error::new(ErrorKind::UnknownField, field_span)),
    }
}

/// `n(args)`: looks among functions only; `UnknownFunction` at the name,
/// `Arity` at the whole call.
pub(crate) fn call<'c, R: Real>(
    name: &str,
    name_span: Span,
    call_span: Span,
    argc: usize,
    ctx: &'c Context<R>,
) -> Result<&'c Function<R>, Error> {
    let function = ctx
        .function(name)
        .ok_or(Error::new(ErrorKind::UnknownFunction, name_span))?;
    if function.arity().accepts(argc) {
        Ok(function)
    } else {
        Err(Error::new(ErrorKind::Arity, call_span))
    }
}
