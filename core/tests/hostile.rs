//! Hostile input: every case returns an error, nothing panics, nothing
//! overflows the stack. Parsing, compiling and evaluating run on a thread
//! with a 64 KiB stack unoptimised (16 KiB in release), with the default limits:
//! the parser and compiler keep their work lists in the arena, so their
//! stack use does not grow with the input's nesting. Every case that
//! evaluates runs through both paths, the compiled `Expr` and the tree
//! walker `eval_ast`, and both must give the same error kind.
//!
//! Limits are changed field by field on a copy of `Limits::DEFAULT` (not
//! built as a struct literal), which keeps compiling when `Limits` gains
//! fields.
#![allow(clippy::unwrap_used)]

use exp_rs::bumpalo::Bump;
use exp_rs::{Context, ErrorKind, Expr, Limits, eval_ast, parse_expression_arena};

/// 64 KiB unoptimised; 16 KiB, the smallest thread stack Linux gives, in
/// a release build (`cargo test --release -p exp-rs --test hostile`).
const STACK: usize = if cfg!(debug_assertions) {
    64 * 1024
} else {
    16 * 1024
};

/// Runs `f` on a thread with a [`STACK`]-byte stack and returns its result.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// The tree walker's outcome for `src`: parsed with the context's limits,
/// then `eval_ast` (call it on a stack big enough for the tree's height).
fn walk(src: &str, ctx: &Context<f64>) -> Result<f64, exp_rs::Error> {
    let arena = Bump::new();
    let ast = exp_rs::parse(src, &arena, ctx.limits())?;
    eval_ast(ast, ctx)
}

/// Compiles `src` on a small stack with a context whose length limit
/// admits it, so the nesting checks (not the length check) are what answers.
/// The tree walker (parse, then `eval_ast`) gives the same kind.
fn compile_kind(src: String) -> ErrorKind {
    small_stack(move || {
        let mut ctx = Context::<f64>::new();
        let mut limits = Limits::DEFAULT;
        limits.max_len = u32::MAX;
        ctx.set_limits(limits);
        let arena = Bump::new();
        let kind = Expr::compile_auto(&src, &ctx, &arena).err().unwrap().kind;
        // The parser alone agrees (it is what stops the nesting).
        let parsed = exp_rs::parse(&src, &arena, &limits).err().map(|e| e.kind);
        assert_eq!(parsed.unwrap_or(kind), kind);
        // The tree walker stops the same way, before walking anything.
        let walked = walk(&src, &ctx).err().map(|e| e.kind);
        assert_eq!(walked, Some(kind), "tree walker");
        kind
    })
}

/// Size of the hostile inputs (smaller under Miri, which is far slower; the
/// limits stop them at 256 levels either way).
const HOSTILE: usize = if cfg!(miri) { 2_000 } else { 100_000 };

#[test]
fn deep_nesting_of_every_kind_is_too_deep() {
    let n = HOSTILE;
    for (open, close) in [
        ("(", ")"),
        ("-", ""),
        ("!", ""),
        ("sin(", ")"),
        ("a[", "]"),
        ("+", ""),
    ] {
        let src = format!("{}1{}", open.repeat(n), close.repeat(n));
        assert_eq!(compile_kind(src), ErrorKind::TooDeep, "{open}…{close}");
    }
    let src = format!("{}1", "2^".repeat(n));
    assert_eq!(compile_kind(src), ErrorKind::TooDeep, "2^2^…");
    let src = format!("{}1{}", "1 ? ".repeat(n), " : 0".repeat(n));
    assert_eq!(compile_kind(src), ErrorKind::TooDeep, "?:");
}

#[test]
fn long_chains_are_too_deep() {
    for op in ["+", "*", "-", "&&", "||", ",", "<"] {
        let src = vec!["x"; HOSTILE].join(op);
        assert_eq!(compile_kind(src), ErrorKind::TooDeep, "chain of {op}");
    }
}

#[test]
fn nesting_just_inside_the_limit_compiles_and_evaluates() {
    let big_stack = |f: fn()| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    };
    big_stack(|| {
        let ctx = Context::<f64>::new();
        let arena = Bump::new();
        // 255 nested parentheses around a 1-node tree, and a 255-term sum.
        let src = format!("{}x{}", "(".repeat(255), ")".repeat(255));
        assert_eq!(
            Expr::compile_auto(&src, &ctx, &arena)
                .unwrap()
                .eval(&[2.0])
                .unwrap(),
            2.0
        );
        let src = vec!["x"; 200].join("+");
        assert_eq!(
            Expr::compile_auto(&src, &ctx, &arena)
                .unwrap()
                .eval(&[1.0])
                .unwrap(),
            200.0
        );
        let ast = parse_expression_arena(&format!("{}1", "-".repeat(250)), &arena).unwrap();
        assert_eq!(eval_ast(ast, &ctx).unwrap(), 1.0);
        // The tree walker computes the same at the edge of the limit.
        let src = format!("{}x{}", "(".repeat(255), ")".repeat(255));
        let mut walk_ctx = Context::<f64>::new();
        walk_ctx.set_constant("x", 2.0);
        assert_eq!(walk(&src, &walk_ctx).unwrap(), 2.0);
        walk_ctx.set_constant("x", 1.0);
        assert_eq!(walk(&vec!["x"; 200].join("+"), &walk_ctx).unwrap(), 200.0);
        // One level more is TooDeep on both paths.
        let src = format!("{}x{}", "(".repeat(300), ")".repeat(300));
        let compiled = Expr::compile_auto(&src, &ctx, &arena).err().map(|e| e.kind);
        let walked = walk(&src, &walk_ctx).err().map(|e| e.kind);
        assert_eq!((compiled, walked), (Some(ErrorKind::TooDeep), compiled));
    });
}

#[test]
fn ten_megabytes_of_input_is_too_long() {
    let src = "1+".repeat(if cfg!(miri) { 40_000 } else { 5 << 20 }) + "1";
    let (kind, span, walked) = small_stack(move || {
        let ctx = Context::<f64>::new();
        let arena = Bump::new();
        let e = Expr::compile_auto(&src, &ctx, &arena).err().unwrap();
        let walked = parse_expression_arena(&src, &arena)
            .and_then(|ast| eval_ast(ast, &ctx))
            .err()
            .unwrap();
        (e.kind, e.span, walked)
    });
    assert_eq!(kind, ErrorKind::TooLong);
    assert_eq!(span.start, Limits::DEFAULT.max_len);
    assert_eq!((walked.kind, walked.span), (kind, span), "tree walker");
}

#[test]
fn unknown_bytes_are_invalid_characters() {
    small_stack(|| {
        let ctx = Context::<f64>::new();
        for src in [
            "1 @ 2",
            "\u{0}",
            "x\u{7f}",
            "π",
            "1 + \u{1F600}",
            "`",
            "#",
            "$",
            "\\",
            "'a'",
            "\"s\"",
        ] {
            let arena = Bump::new();
            let e = Expr::compile_auto(src, &ctx, &arena).err().unwrap();
            assert_eq!(e.kind, ErrorKind::InvalidCharacter, "{src:?}");
            // The span covers one whole character.
            let text = e.span.text(src);
            assert_eq!(text.chars().count(), 1, "{src:?} span {}", e.span);
            let walked = walk(src, &ctx).unwrap_err();
            assert_eq!(walked, e, "tree walker, {src:?}");
        }
    });
}

#[test]
fn a_capped_arena_is_arena_full_at_every_size() {
    small_stack(|| {
        let mut ctx = Context::<f64>::new();
        ctx.add_expression_function("f(a, b) = a < b ? f(a + 1, b) : a")
            .unwrap();
        let src = "x * sin(y) + max(z, 1, 2, 3) + f(0, 5) + (x > 1 ? y : z)";
        // Find what the expression needs, then cap below it at every size.
        let needed = {
            let arena = Bump::new();
            Expr::compile_auto(src, &ctx, &arena).unwrap();
            arena.allocated_bytes()
        };
        let mut full = 0;
        for cap in (0..needed).step_by(8) {
            let arena = Bump::new();
            arena.set_allocation_limit(Some(cap));
            match Expr::compile_auto(src, &ctx, &arena) {
                Err(e) => {
                    assert_eq!(e.kind, ErrorKind::ArenaFull, "cap {cap}");
                    full += 1;
                }
                Ok(e) => assert!(e.eval(&[1.0, 2.0, 3.0]).is_ok()),
            }
        }
        assert!(full > 0, "no cap below {needed} bytes failed");
    });
}

/// Invalid UTF-8 never reaches either path: a `&str` is UTF-8 by type, so
/// the bytes are converted lossily (U+FFFD) as a door would, and both paths
/// report the replacement character.
#[test]
fn invalid_utf8_is_an_invalid_character_on_both_paths() {
    small_stack(|| {
        let ctx = Context::<f64>::new();
        for bytes in [
            &b"1 + \xff"[..],
            b"\xc3(",
            b"x\xe2\x82",
            b"\xf0\x28\x8c\x28",
        ] {
            let src = String::from_utf8_lossy(bytes).into_owned();
            let arena = Bump::new();
            let compiled = Expr::compile_auto(&src, &ctx, &arena).err().unwrap();
            assert_eq!(compiled.kind, ErrorKind::InvalidCharacter, "{bytes:?}");
            assert_eq!(walk(&src, &ctx).unwrap_err(), compiled, "{bytes:?}");
        }
    });
}

#[test]
fn runaway_recursion_is_an_error_not_a_crash() {
    small_stack(|| {
        let mut ctx = Context::<f64>::new();
        ctx.add_expression_function("down(n) = down(n - 1) + 1")
            .unwrap();
        let arena = Bump::new();
        let e = Expr::compile("down(1)", &[], &ctx, &arena).unwrap();
        assert_eq!(e.eval(&[]).unwrap_err().kind, ErrorKind::RecursionLimit);
        // The expression still works afterwards (state was reset).
        assert_eq!(e.eval(&[]).unwrap_err().kind, ErrorKind::RecursionLimit);
    });
    // The tree walker recurses on the host stack; give it a normal one.
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function("down(n) = down(n - 1) + 1")
        .unwrap();
    let arena = Bump::new();
    let ast = parse_expression_arena("down(1)", &arena).unwrap();
    assert_eq!(
        eval_ast(ast, &ctx).unwrap_err().kind,
        ErrorKind::RecursionLimit
    );
}

#[test]
fn forever_is_a_recursion_limit_on_both_paths() {
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function("forever(n) = forever(n + 1)")
        .unwrap();
    for src in ["forever(1)", "1 + forever(0)", "0 || forever(1)"] {
        let arena = Bump::new();
        let compiled = small_stack_compiled(src, &ctx, &arena);
        let walked = walk(src, &ctx).err().map(|e| e.kind);
        assert_eq!(compiled, Some(ErrorKind::RecursionLimit), "{src}");
        assert_eq!(walked, compiled, "tree walker, {src}");
    }
}

/// The compiled outcome's error kind (the compiled path does not recurse,
/// so the test thread's stack is plenty).
fn small_stack_compiled(src: &str, ctx: &Context<f64>, arena: &Bump) -> Option<ErrorKind> {
    Expr::compile(src, &[], ctx, arena)
        .and_then(|e| e.eval(&[]))
        .err()
        .map(|e| e.kind)
}

/// `twice(n)` makes 2^(n+1) - 1 calls, none nested deeper than n + 1.
const TWICE: &str = "twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)";

#[test]
fn exponential_recursion_stops_at_the_call_budget() {
    // 2^201 calls would run for ever: the default budget of calls per
    // evaluation stops it (measured: 1,000,000 calls in 41 ms, release).
    // Miri gets a smaller budget; the tree walker, which re-parses the
    // body at every call, is checked against small budgets below.
    let mut ctx = Context::<f64>::new();
    if cfg!(miri) {
        let mut limits = Limits::DEFAULT;
        limits.max_total_calls = 2_000;
        ctx.set_limits(limits);
    }
    ctx.add_expression_function(TWICE).unwrap();
    let arena = Bump::new();
    let e = Expr::compile("1 + twice(n)", &["n"], &ctx, &arena).unwrap();
    for _ in 0..2 {
        let err = e.eval(&[200.0]).unwrap_err();
        assert_eq!(
            (err.kind, err.span.start, err.span.end),
            (ErrorKind::RecursionLimit, 4, 12)
        );
        // And the expression still works.
        assert_eq!(e.eval(&[3.0]).unwrap(), 1.0);
    }
}

#[test]
fn exponential_recursion_is_the_same_error_on_both_paths() {
    // An explicit call budget, so the bound that stops it is clear (the
    // step budget is far above 5,000 calls of this body): RecursionLimit
    // at the top-level call, compiled and walked alike.
    let mut ctx = Context::<f64>::new();
    let mut limits = Limits::DEFAULT;
    limits.max_total_calls = 5_000;
    ctx.set_limits(limits);
    ctx.add_expression_function(TWICE).unwrap();
    ctx.set_constant("big", 200.0);
    for (src, span) in [("1 + twice(big)", (4, 14)), ("twice(30)", (0, 9))] {
        let arena = Bump::new();
        let compiled = Expr::compile(src, &[], &ctx, &arena)
            .unwrap()
            .eval(&[])
            .unwrap_err();
        assert_eq!(
            (compiled.kind, compiled.span.start, compiled.span.end),
            (ErrorKind::RecursionLimit, span.0, span.1),
            "{src}"
        );
        assert_eq!(walk(src, &ctx).unwrap_err(), compiled, "tree walker, {src}");
    }
    // Within the budget both compute it: twice(10) makes 2,047 calls.
    let arena = Bump::new();
    let e = Expr::compile("twice(10)", &[], &ctx, &arena).unwrap();
    assert_eq!(e.eval(&[]).unwrap(), 0.0);
    assert_eq!(walk("twice(10)", &ctx).unwrap(), 0.0);
}

#[test]
fn the_call_budget_counts_every_call_of_one_evaluation() {
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function(TWICE).unwrap();
    let arena = Bump::new();
    let ast = parse_expression_arena("twice(3)", &arena).unwrap();
    for (budget, ok) in [(15, true), (14, false)] {
        let mut limits = Limits::DEFAULT;
        limits.max_total_calls = budget;
        ctx.set_limits(limits);
        let e = Expr::compile("twice(3)", &[], &ctx, &arena).unwrap();
        for _ in 0..3 {
            // The count starts again at every evaluation.
            let kind = e.eval(&[]).err().map(|e| e.kind);
            let walked = eval_ast(ast, &ctx).err().map(|e| e.kind);
            let want = (!ok).then_some(ErrorKind::RecursionLimit);
            assert_eq!((kind, walked), (want, want), "budget {budget}");
        }
    }
}

#[test]
fn the_call_budget_counts_calls_in_arguments_first() {
    // `g(g(1))`: the inner call is made (and counted) before the outer
    // one, by the compiled program and the tree walker alike.
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function("g(n) = n + 1").unwrap();
    let mut limits = Limits::DEFAULT;
    limits.max_total_calls = 1;
    ctx.set_limits(limits);
    let arena = Bump::new();
    let e = Expr::compile("g(g(1))", &[], &ctx, &arena).unwrap();
    let ast = parse_expression_arena("g(g(1))", &arena).unwrap();
    let err = e.eval(&[]).unwrap_err();
    assert_eq!(
        (err.kind, err.span.start, err.span.end),
        (ErrorKind::RecursionLimit, 0, 7)
    );
    assert_eq!(eval_ast(ast, &ctx).unwrap_err(), err);
}

/// `deep(n)`: `n` nested calls of a body 200 levels deep.
fn deep_context() -> Context<f64> {
    let mut ctx = Context::<f64>::new();
    let body = "-".repeat(200) + "deep(n - 1)";
    ctx.add_expression_function(&format!("deep(n) = n < 1 ? 0 : {body}"))
        .unwrap();
    ctx
}

#[test]
fn the_tree_walker_stops_before_the_stack_does() {
    // 250 nested calls of a body 200 levels deep are within the default
    // limits, and 50,000 levels of recursion for a tree walker. The
    // compiled program does not recurse and computes it; `eval_ast` stops
    // at WALK_LEVELS, here on a 2 MiB thread, unoptimised.
    let n = if cfg!(miri) { 8 } else { 250 };
    let src = format!("deep({n})");
    let arena = Bump::new();
    let ctx = deep_context();
    let e = Expr::compile(&src, &[], &ctx, &arena).unwrap();
    assert_eq!(e.eval(&[]).unwrap(), 0.0);
    let walked = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let ctx = deep_context();
            let arena = Bump::new();
            let deep = eval_ast(parse_expression_arena(&src, &arena).unwrap(), &ctx);
            let shallow = eval_ast(parse_expression_arena("deep(4)", &arena).unwrap(), &ctx);
            // Past WALK_LEVELS without calls (the depth limit raised
            // above it) is TooDeep.
            let mut ctx = Context::<f64>::new();
            let mut limits = Limits::DEFAULT;
            limits.max_depth = 2 * exp_rs::WALK_LEVELS;
            ctx.set_limits(limits);
            let minus = format!("{}1", "-".repeat(1500));
            let tree = exp_rs::parse(&minus, &arena, &limits).unwrap();
            (
                deep.map_err(|e| (e.kind, e.span.start, e.span.end)),
                shallow.ok(),
                eval_ast(tree, &ctx).map_err(|e| e.kind),
            )
        })
        .unwrap()
        .join()
        .unwrap();
    let end = if cfg!(miri) { 7 } else { 9 };
    assert_eq!(walked.0, Err((ErrorKind::RecursionLimit, 0, end)));
    assert_eq!(walked.1, Some(0.0));
    assert_eq!(walked.2, Err(ErrorKind::TooDeep));
}

#[test]
fn a_panicking_native_function_leaves_the_expression_usable() {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let mut ctx = Context::<f64>::new();
    ctx.add_function("boom", exp_rs::Arity::Exact(1), |a| {
        assert!(a[0] < 10.0, "boom");
        a[0]
    });
    let arena = Bump::new();
    let e = Expr::compile("boom(x) + 1", &["x"], &ctx, &arena).unwrap();
    let caught = catch_unwind(AssertUnwindSafe(|| e.eval(&[50.0])));
    assert!(
        caught.is_err(),
        "the native's panic reaches the caller, as in Rust"
    );
    // The scratch borrow was released while unwinding: no Reentrant, no stale state.
    assert_eq!(e.eval(&[2.0]).unwrap(), 3.0);
}

/// Derivatives and printing of hostile trees (issue 17) keep their work
/// lists on the heap: on the small stack, each is a result or a limit
/// error (`TooDeep`, `ArenaFull`), never an overflow, and fast.
#[cfg(feature = "symbolic")]
#[test]
fn derivatives_and_printing_of_hostile_trees_fit_the_small_stack() {
    small_stack(|| {
        let mut ctx = Context::<f64>::new();
        ctx.add_expression_function("sq(t) = t * t").unwrap();
        let sources = [
            format!("{}x{}", "(".repeat(250), ")".repeat(250)),
            format!("{}x", "-".repeat(250)),
            format!("{}x{}", "sin(".repeat(250), ")".repeat(250)),
            format!("{}x{}", "sq(".repeat(250), ")".repeat(250)),
            format!("{}x{}", "(1+".repeat(120), ")".repeat(120)),
            format!("{}2", "x^".repeat(120)),
            vec!["x"; 250].join(" * "),
            vec!["sin(x)"; 120].join(" / "),
        ];
        let start = std::time::Instant::now();
        for src in &sources {
            let arena = Bump::new();
            let e = Expr::compile(src, &["x"], &ctx, &arena).unwrap();
            let _ = e.to_string();
            match e.derivative("x") {
                Ok(d) => {
                    let _ = d.to_string();
                }
                Err(err) => assert!(
                    matches!(err.kind, ErrorKind::TooDeep | ErrorKind::ArenaFull),
                    "{:?}",
                    err.kind
                ),
            }
        }
        assert!(start.elapsed().as_secs() < 20);
    });
}
