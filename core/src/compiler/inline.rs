//! Which calls are inlined: decided once, before lowering, for the whole
//! main expression.
//!
//! A call costs more than most bodies, so calls of small functions are
//! lowered in place. That must not be observable: the call budgets
//! (`max_calls`, `max_total_calls`) count calls, so either every call of
//! the main expression to an expression function is inlined, or none is.
//! A call can be inlined when its arguments are names or literals (nothing
//! is evaluated twice or out of order) and the function's body calls no
//! expression function (nothing recurses, and the inlined code has no call
//! left). With no real call left, at most one inlined call is active at a
//! time and each runs at most once, so the budgets can only tell when
//! `max_calls` is 0 or `max_total_calls` is below the number of calls.

use crate::arena_vec::ArenaVec;
use bumpalo::Bump;

use crate::ast::{Ast, AstKind};
use crate::context::{Context, FunctionDef};
use crate::parser::{Definition, parse_definition};
use crate::real::Real;

/// The parsed definitions of the functions the main expression calls, if
/// every call can be inlined; `None` if one cannot (or there is none).
pub(super) fn plan<'a, R: Real>(
    ast: &'a Ast<'a>,
    ctx: &Context<R>,
    arena: &'a Bump,
) -> Option<&'a [(&'a str, Definition<'a>)]> {
    let limits = ctx.limits();
    let mut defs: ArenaVec<'a, (&'a str, Definition<'a>)> = ArenaVec::new_in(arena);
    let mut calls = 0u32;
    let mut stack = ArenaVec::new_in(arena);
    stack.try_push(ast).ok()?;
    while let Some(node) = stack.pop() {
        if let AstKind::Call { name, args, .. } = node.kind {
            if let Some(FunctionDef::Expression(source, arity)) = ctx.function(name).map(|f| &f.def)
            {
                let simple = args
                    .iter()
                    .all(|a| matches!(a.kind, AstKind::Number(_) | AstKind::Name(_)));
                if !simple || args.len() != *arity {
                    return None;
                }
                if !defs.iter().any(|d| d.0 == name) {
                    let source = arena.try_alloc_str(source).ok()?;
                    let def = parse_definition(source, arena, limits).ok()?;
                    if calls_expression_function(def.body, ctx, arena)? {
                        return None;
                    }
                    defs.try_push((name, def)).ok()?;
                }
                calls = calls.saturating_add(1);
            }
        }
        for child in node.children() {
            stack.try_push(child).ok()?;
        }
    }
    let fits = calls > 0 && limits.max_calls > 0 && calls <= limits.max_total_calls;
    fits.then(|| defs.into_bump_slice())
}

/// True when `body` calls an expression function; `None` when the arena
/// is full.
fn calls_expression_function<'a, R: Real>(
    body: &'a Ast<'a>,
    ctx: &Context<R>,
    arena: &'a Bump,
) -> Option<bool> {
    let mut stack = ArenaVec::new_in(arena);
    stack.try_push(body).ok()?;
    while let Some(node) = stack.pop() {
        if let AstKind::Call { name, .. } = node.kind {
            if matches!(
                ctx.function(name).map(|f| &f.def),
                Some(FunctionDef::Expression(..))
            ) {
                return Some(true);
            }
        }
        for child in node.children() {
            stack.try_push(child).ok()?;
        }
    }
    Some(false)
}
