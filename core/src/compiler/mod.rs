//! The compiler: an [`Ast`] in, a [`Program`] in the same arena out.
//!
//! Split by job:
//! - [`lower`]: resolves every name once (through [`crate::resolve`]),
//!   checks arity, folds constants and emits instructions, driven by an
//!   explicit task stack in the arena (no recursion);
//! - [`peephole`]: fusion of an instruction with the one before it;
//! - [`calls`]: the call graph, for the number of frames evaluation needs.
//!
//! This module drives them: the main code first, then each expression
//! function called (transitively), once, as a block of the same program.

mod calls;
mod inline;
mod lower;
mod peephole;

use crate::arena_vec::ArenaVec;
use bumpalo::Bump;

use crate::ast::Ast;
use crate::context::Context;
use crate::error::{Error, ErrorKind};
use crate::exec::Exec;
use crate::parser::Definition;
use crate::program::{Instr, Program};
use crate::real::Real;

/// How names that resolve to nothing are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FreeNames {
    /// An `UnknownVariable` error.
    Error,
    /// A new parameter, appended in order of first appearance.
    AreParams,
}

/// Compiles `ast` with the parameters in `params` (extended in place when
/// `free` is [`FreeNames::AreParams`]).
pub(crate) fn compile<'a, R: Real>(
    ast: &'a Ast<'a>,
    ctx: &Context<R>,
    arena: &'a Bump,
    params: &mut ArenaVec<'a, &'a str>,
    free: FreeNames,
) -> Result<Program<'a, R>, Error> {
    // Calls of small functions are inlined when nothing can tell (see
    // `inline`). A program that fails to compile is compiled again without
    // inlining, so errors come in the canonical order (main expression
    // first, then function bodies).
    if let Some(defs) = inline::plan(ast, ctx, arena) {
        let declared = params.len();
        match lowered(ast, ctx, arena, params, free, defs) {
            Ok(program) => return Ok(program),
            Err(_) => params.truncate(declared),
        }
    }
    lowered(ast, ctx, arena, params, free, &[])
}

/// [`compile`], inlining the calls of the functions in `inline`.
fn lowered<'a, R: Real>(
    ast: &'a Ast<'a>,
    ctx: &Context<R>,
    arena: &'a Bump,
    params: &mut ArenaVec<'a, &'a str>,
    free: FreeNames,
    inline: &'a [(&'a str, Definition<'a>)],
) -> Result<Program<'a, R>, Error> {
    let mut c = lower::Lowering::new(ctx, arena, params, free);
    c.inline = inline;
    c.reserve_for(ast)?;
    c.block(ast, None)?;
    // Running off the end returns too; the `ret` is only needed when
    // function blocks follow.
    if c.has_functions() {
        c.emit(Instr::Ret)?;
    }
    let main_stack = c.max_depth;

    // Expression-function bodies, compiled once each, after the main code.
    // Errors inside a body are reported at the top-level call that first
    // needed it.
    let mut fn_stack = 0;
    let mut next = 0;
    while let Some((body, origin)) = c.body(next) {
        c.enter_function(next);
        next += 1;
        let at_call = |e: Error| Error::new(e.kind, origin);
        c.block(body, Some(origin)).map_err(at_call)?;
        c.emit(Instr::Ret).map_err(at_call)?;
        fn_stack = fn_stack.max(c.max_depth);
    }

    let limits = ctx.limits();
    let full = Error::new(ErrorKind::ArenaFull, ast.span);
    let frames = match calls::longest_call_chain(c.functions.len(), &c.calls, arena) {
        Ok(Some(chain)) => chain.min(limits.max_calls),
        Ok(None) => limits.max_calls,
        Err(_) => return Err(full),
    };
    let stack_size = main_stack.saturating_add(frames.saturating_mul(fn_stack));
    let names = used_names(&c.code, c.params, arena).map_err(|_| full)?;
    let program = Program {
        code: c.code.into_bump_slice(),
        spans: c.spans.into_bump_slice(),
        folded: c.folded.into_bump_slice(),
        natives: c.natives,
        arrays: c.arrays,
        functions: c.functions.into_bump_slice(),
        param_count: c.params.len() as u32,
        names,
        span: ast.span,
        stack_size,
        frame_count: frames,
        max_calls: limits.max_calls,
        max_total_calls: limits.max_total_calls,
        max_steps: limits.max_steps,
    };
    Ok(program)
}

/// The names of the parameter slots `code` reads, sorted by slot: what the
/// program view needs, in arena bytes proportional to the program, however
/// many parameters a batch declares.
fn used_names<'a, R: Real>(
    code: &[Exec<R>],
    params: &[&'a str],
    arena: &'a Bump,
) -> Result<&'a [(u32, &'a str)], crate::arena_vec::NoRoom> {
    let mut used: ArenaVec<'a, (u32, &'a str)> = ArenaVec::new_in(arena);
    for instr in code {
        let (a, b) = match instr.to_instr() {
            Instr::Load(s)
            | Instr::BinX(_, s)
            | Instr::XBin(_, s)
            | Instr::LoadK(_, s, _)
            | Instr::KLoad(_, _, s)
            | Instr::LoadF1(_, s) => (Some(s), None),
            Instr::LoadX(_, a, b) => (Some(a), Some(b)),
            _ => (None, None),
        };
        for slot in [a, b].into_iter().flatten() {
            if let (Err(at), Some(&name)) = (
                used.binary_search_by_key(&slot, |u| u.0),
                params.get(slot as usize),
            ) {
                used.try_reserve(1)?;
                used.insert(at, (slot, name));
            }
        }
    }
    Ok(used.into_bump_slice())
}
