//! Arbitrary call sequences on the C API, through its Rust entry points:
//! arenas (capped or not), contexts, batch builders, parameters, evaluation,
//! results and error messages, in any order, with NULLs. Nothing may crash,
//! leak or touch freed memory (the fuzzer runs under AddressSanitizer).
#![no_main]

use std::ffi::CString;

use arbitrary::Arbitrary;
use exp_rs_ffi::*;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Call {
    NewArena(u16),
    CapArena(u16),
    ResetArena,
    FreeArena,
    NewContext,
    FreeContext,
    AddFunction(String),
    NewBuilder,
    NewBuilderUnbound,
    FreeBuilder,
    AddExpression(String),
    AddParam(String, f64),
    SetParam(u8, f64),
    Eval,
    EvalOtherContext,
    Results(u8),
    Message(u8),
    /// Any limit number (0 and 6+ are unknown), any value, on the context.
    SetLimit(u8, u32),
    /// A constant on the context, while builders may be bound to it.
    SetConstant(String, f64),
}

fuzz_target!(|calls: Vec<Call>| {
    let mut arena: *mut ExpRsArena = std::ptr::null_mut();
    let mut ctx: *mut ExpRsContext = std::ptr::null_mut();
    let mut builder: *mut ExpRsBatchBuilder = std::ptr::null_mut();
    let other = exp_rs_context_new();
    for call in calls.iter().take(64) {
        // SAFETY: every handle is either NULL or live: each is set to NULL
        // when freed, and the API defines freeing in any order.
        unsafe {
            match call {
                Call::NewArena(kb) => {
                    exp_rs_arena_free(arena);
                    arena = exp_rs_arena_new(usize::from(*kb % 64) * 1024);
                }
                Call::CapArena(bytes) => {
                    let _ = exp_rs_arena_set_limit(arena, usize::from(*bytes));
                }
                Call::ResetArena => {
                    let _ = exp_rs_arena_reset(arena);
                }
                Call::FreeArena => {
                    exp_rs_arena_free(arena);
                    arena = std::ptr::null_mut();
                }
                Call::NewContext => {
                    exp_rs_context_free(ctx);
                    ctx = exp_rs_context_new();
                }
                Call::FreeContext => {
                    exp_rs_context_free(ctx);
                    ctx = std::ptr::null_mut();
                }
                Call::AddFunction(def) => {
                    if let Ok(def) = CString::new(def.as_str()) {
                        let _ = exp_rs_context_add_expression_function(ctx, def.as_ptr());
                    }
                }
                Call::NewBuilder => {
                    exp_rs_batch_builder_free(builder);
                    builder = exp_rs_batch_builder_new(arena, ctx);
                }
                Call::NewBuilderUnbound => {
                    exp_rs_batch_builder_free(builder);
                    builder = exp_rs_batch_builder_new_with_arena(arena);
                }
                Call::FreeBuilder => {
                    exp_rs_batch_builder_free(builder);
                    builder = std::ptr::null_mut();
                }
                Call::AddExpression(src) => {
                    if let Ok(src) = CString::new(src.as_str()) {
                        let _ = exp_rs_batch_builder_add_expression(builder, src.as_ptr());
                    }
                }
                Call::AddParam(name, v) => {
                    if let Ok(name) = CString::new(name.as_str()) {
                        let mut index = 0usize;
                        let _ =
                            exp_rs_batch_builder_add_param(builder, name.as_ptr(), *v, &mut index);
                    }
                }
                Call::SetParam(i, v) => {
                    let _ = exp_rs_batch_builder_set_param(builder, usize::from(*i % 8), *v);
                }
                Call::Eval => {
                    let _ = exp_rs_batch_builder_eval(builder, ctx);
                }
                Call::EvalOtherContext => {
                    let _ = exp_rs_batch_builder_eval(builder, other);
                }
                Call::Results(n) => {
                    let mut out = vec![0.0; usize::from(*n % 8)];
                    let mut written = 0usize;
                    let _ = exp_rs_batch_builder_results(
                        builder,
                        out.as_mut_ptr(),
                        out.len(),
                        &mut written,
                    );
                }
                Call::Message(n) => {
                    let mut buf = vec![0 as std::ffi::c_char; usize::from(*n)];
                    let mut needed = 0usize;
                    let _ = exp_rs_batch_builder_last_error_message(
                        builder,
                        buf.as_mut_ptr(),
                        buf.len(),
                        &mut needed,
                    );
                }
                Call::SetLimit(which, v) => {
                    let _ = exp_rs_context_set_limit(ctx, u32::from(*which % 8), *v);
                }
                Call::SetConstant(name, v) => {
                    if let Ok(name) = CString::new(name.as_str()) {
                        let _ = exp_rs_context_set_constant(ctx, name.as_ptr(), *v);
                    }
                }
            }
        }
    }
    // SAFETY: as above; everything is freed once.
    unsafe {
        exp_rs_batch_builder_free(builder);
        exp_rs_arena_free(arena);
        exp_rs_context_free(ctx);
        exp_rs_context_free(other);
    }
});
