//! Arena accounting: what an expression costs depends on the expression,
//! not on how many parameters are declared around it.
#![allow(clippy::unwrap_used)]

use bumpalo::Bump;
use exp_rs::{Batch, Context, ErrorKind, Expr, arena_used};

/// Arena bytes `add_expression(src)` takes in a batch with `declared`
/// parameters declared first.
fn cost_in_batch(declared: usize, src: &str) -> usize {
    let ctx = Context::<f64>::new();
    // One chunk: no unused chunk tails in the measure.
    let arena = Bump::with_capacity(1 << 20);
    let mut batch = Batch::new(&ctx, &arena);
    for i in 0..declared {
        batch.add_param(&format!("p{i}"), 0.0).unwrap();
    }
    let before = arena_used(&arena);
    batch.add_expression(src).unwrap();
    arena_used(&arena) - before
}

#[test]
fn an_expression_costs_the_same_whatever_the_parameter_count() {
    let none = cost_in_batch(0, "q + 2");
    // Smaller under Miri, which is slow; the property is the same.
    let count = if cfg!(miri) { 100 } else { 4_000 };
    let many = cost_in_batch(count, "q + 2");
    // The new parameter `q` extends the batch's name list, which may move
    // (a copy of the names); nothing else may grow with the count.
    let names_move = 4_001 * core::mem::size_of::<&str>();
    assert!(
        many <= none + names_move,
        "{none} B with 0 parameters, {many} B with 4,000"
    );
    // Over declared parameters: equal up to alignment padding and where
    // the arena's chunks happen to end.
    let declared_only = cost_in_batch(count, "p0 + 2");
    let small = cost_in_batch(1, "p0 + 2");
    assert!(
        declared_only.abs_diff(small) <= 64,
        "{small} B with 1 parameter, {declared_only} B with 4,000"
    );
}

#[test]
fn many_parameter_names_are_checked_for_repeats_quickly() {
    // 64,000 names: a pairwise check would make 2 billion comparisons.
    let n = if cfg!(miri) { 500 } else { 64_000 };
    let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let ctx = Context::<f64>::new();
    let arena = Bump::new();
    let last = format!("v{} - v0", n - 1);
    let e = Expr::compile(&last, &refs, &ctx, &arena).unwrap();
    let mut values = vec![0.0; n];
    values[n - 1] = 5.0;
    assert_eq!(e.eval(&values).unwrap(), 5.0);
    let mut repeated = refs.clone();
    repeated.push("v17");
    let err = Expr::compile("v0", &repeated, &ctx, &arena)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DuplicateName);
}

#[test]
fn a_call_that_cannot_be_inlined_costs_no_second_compile() {
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function("sq(v) = v * v").unwrap();
    ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    let cost = |src: &str| {
        let arena = Bump::new();
        Expr::compile(src, &["x"], &ctx, &arena).unwrap();
        arena_used(&arena)
    };
    // `sq(x)` could be inlined, `sq(x*1)` could not; beside the recursive
    // `fact` neither is, and both compile once.
    let simple = cost("fact(x) + sq(x)");
    let computed = cost("fact(x) + sq(x*1)");
    assert!(simple <= computed + 64, "{simple} B against {computed} B");
}

#[test]
fn a_failed_add_leaves_the_arena_and_the_batch_as_they_were() {
    let mut ctx = Context::<f64>::new();
    ctx.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    // A fixed 16 KB arena, as the C door makes one.
    let arena = Bump::with_capacity(16 * 1024);
    arena.set_allocation_limit(Some(arena.allocated_bytes()));
    let mut batch = Batch::new(&ctx, &arena);
    batch.add_param("x", 1.0).unwrap();
    batch.add_expression("x * sin(y) + 1").unwrap();
    let used = arena_used(&arena);
    let params = batch.param_names().len();
    // Reserves value stack for 4,096 nested calls: about 150 KB.
    let mut deep = Context::<f64>::new();
    deep.add_expression_function("fact(n) = n <= 1 ? 1 : n * fact(n - 1)")
        .unwrap();
    deep.set_limits(ctx.limits().with_max_calls(4_096));
    let mut deep_batch = Batch::new(&deep, &arena);
    let deep_used = arena_used(&arena);
    let failing = [
        ("fresh * nope(y)", ErrorKind::UnknownFunction),
        ("fresh +* 2", ErrorKind::ExpectedOperand),
    ];
    let adds = if cfg!(miri) { 30 } else { 10_000 };
    for i in 0..adds {
        if i % 3 == 2 {
            let e = deep_batch.add_expression("fact(fresh)").unwrap_err();
            assert_eq!(e.kind, ErrorKind::ArenaFull);
            assert_eq!(arena_used(&arena), deep_used, "after {i} failing adds");
            continue;
        }
        let (src, kind) = failing[i % 3];
        let e = batch.add_expression(src).unwrap_err();
        assert_eq!(e.kind, kind, "{src}");
        assert_eq!(arena_used(&arena), used, "after {i} failing adds");
    }
    assert_eq!(deep_batch.param_names().len(), 0);
    assert_eq!(batch.param_names().len(), params);
    assert_eq!(batch.len(), 1);
    assert_eq!(batch.param_index("fresh"), None);
    let i = batch.add_expression("x + y + fresh").unwrap();
    batch.set_param(2, 5.0);
    batch.eval().unwrap();
    assert_eq!(batch.result(i), Some(6.0));
    assert!(arena_used(&arena) > used);
}
