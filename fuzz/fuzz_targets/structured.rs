//! Generated valid expressions, with invariants:
//! - compiling and evaluating never fails except as SPEC.md allows;
//! - on expressions of small integers with `+ - *` and comparisons only,
//!   `f32` and `f64` agree exactly (every intermediate stays an exact integer);
//! - the tree printed back as fully parenthesised source parses to the
//!   same tree.
#![no_main]

use arbitrary::Arbitrary;
use exp_rs::bumpalo::Bump;
use exp_rs::{Ast, AstKind, Context, ErrorKind, Expr, parse_expression_arena};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Node {
    Int(u8),
    Var(bool),
    Neg(Box<Node>),
    Not(Box<Node>),
    Add(Box<Node>, Box<Node>),
    Sub(Box<Node>, Box<Node>),
    Mul(Box<Node>, Box<Node>),
    Lt(Box<Node>, Box<Node>),
    Eq(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Cond(Box<Node>, Box<Node>, Box<Node>),
    Max(Box<Node>, Box<Node>),
    Abs(Box<Node>),
}

/// Nodes deeper than this are rendered as `1`.
const MAX_RENDER_DEPTH: usize = 40;

/// An upper bound on the magnitude of the value of the node as [`render`]
/// prints it at `depth`, and `worst` raised to the largest bound of any
/// sub-expression (all branches, so it holds whichever way conditions go).
fn bound(n: &Node, worst: &mut f64, depth: usize) -> f64 {
    if depth > MAX_RENDER_DEPTH {
        // What `render` prints there. (Bounding the node instead let a
        // cut-off `0` hide a product of 3s: the fuzzer found it.)
        *worst = worst.max(1.0);
        return 1.0;
    }
    let bound = |n: &Node, worst: &mut f64| bound(n, worst, depth + 1);
    let b = match n {
        Node::Int(v) => f64::from(v % 10),
        Node::Var(_) => 128.0,
        Node::Neg(a) | Node::Abs(a) => bound(a, worst),
        Node::Not(a) => {
            bound(a, worst);
            1.0
        }
        Node::Add(a, b) | Node::Sub(a, b) => bound(a, worst) + bound(b, worst),
        Node::Mul(a, b) => bound(a, worst) * bound(b, worst),
        Node::Lt(a, b) | Node::Eq(a, b) | Node::And(a, b) | Node::Or(a, b) => {
            bound(a, worst);
            bound(b, worst);
            1.0
        }
        Node::Cond(c, a, b) => {
            bound(c, worst);
            bound(a, worst).max(bound(b, worst))
        }
        Node::Max(a, b) => bound(a, worst).max(bound(b, worst)),
    };
    *worst = worst.max(b);
    b
}

/// Renders with every sub-expression parenthesised.
fn render(n: &Node, out: &mut String, depth: usize) {
    if depth > MAX_RENDER_DEPTH {
        out.push('1');
        return;
    }
    let d = depth + 1;
    let bin = |out: &mut String, a: &Node, op: &str, b: &Node| {
        out.push('(');
        render(a, out, d);
        out.push_str(op);
        render(b, out, d);
        out.push(')');
    };
    match n {
        Node::Int(v) => out.push_str(&(v % 10).to_string()),
        Node::Var(x) => out.push_str(if *x { "x" } else { "y" }),
        Node::Neg(a) => {
            out.push_str("(-");
            render(a, out, d);
            out.push(')');
        }
        Node::Not(a) => {
            out.push_str("(!");
            render(a, out, d);
            out.push(')');
        }
        Node::Add(a, b) => bin(out, a, "+", b),
        Node::Sub(a, b) => bin(out, a, "-", b),
        Node::Mul(a, b) => bin(out, a, "*", b),
        Node::Lt(a, b) => bin(out, a, "<", b),
        Node::Eq(a, b) => bin(out, a, "==", b),
        Node::And(a, b) => bin(out, a, "&&", b),
        Node::Or(a, b) => bin(out, a, "||", b),
        Node::Cond(c, a, b) => {
            out.push('(');
            render(c, out, d);
            out.push('?');
            render(a, out, d);
            out.push(':');
            render(b, out, d);
            out.push(')');
        }
        Node::Max(a, b) => {
            out.push_str("max(");
            render(a, out, d);
            out.push(',');
            render(b, out, d);
            out.push(')');
        }
        Node::Abs(a) => {
            out.push_str("abs(");
            render(a, out, d);
            out.push(')');
        }
    }
}

/// Prints a parsed tree back as fully parenthesised source.
fn source(ast: &Ast<'_>, out: &mut String) {
    match ast.kind {
        AstKind::Number(t) | AstKind::Name(t) => out.push_str(t),
        AstKind::Unary(op, a) => {
            out.push('(');
            out.push_str(op.symbol());
            source(a, out);
            out.push(')');
        }
        AstKind::Binary(op, a, b) => {
            out.push('(');
            source(a, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            source(b, out);
            out.push(')');
        }
        AstKind::Conditional(c, a, b) => {
            out.push('(');
            source(c, out);
            out.push_str(" ? ");
            source(a, out);
            out.push_str(" : ");
            source(b, out);
            out.push(')');
        }
        AstKind::Call { name, args, .. } => {
            out.push_str(name);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                source(a, out);
            }
            out.push(')');
        }
        AstKind::Index { name, index, .. } => {
            out.push_str(name);
            out.push('[');
            source(index, out);
            out.push(']');
        }
        AstKind::Field { object, field, .. } => {
            out.push_str(object);
            out.push('.');
            out.push_str(field);
        }
    }
}

fuzz_target!(|input: (Node, i8, i8)| {
    let (node, x, y) = input;
    let mut src = String::new();
    render(&node, &mut src, 0);
    let arena = Bump::new();

    let ctx64 = Context::<f64>::new();
    let e64 = match Expr::compile(&src, &["x", "y"], &ctx64, &arena) {
        Ok(e) => e,
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::TooDeep, "`{src}`: {e}");
            return;
        }
    };
    let v64 = e64
        .eval(&[f64::from(x), f64::from(y)])
        .expect("valid expressions evaluate");

    let ctx32 = Context::<f32>::new();
    let e32 = Expr::compile(&src, &["x", "y"], &ctx32, &arena).expect("f32 compiles what f64 does");
    let v32 = e32
        .eval(&[f32::from(x), f32::from(y)])
        .expect("valid expressions evaluate");
    // Integers below 2^24 are exact in both precisions: when no
    // intermediate can leave that range, the two must agree exactly.
    let mut worst = 0.0;
    bound(&node, &mut worst, 0);
    if worst < 16_777_216.0 {
        assert_eq!(v64, f64::from(v32), "`{src}` at x={x}, y={y}");
    }

    let ast = parse_expression_arena(&src, &arena).unwrap();
    let mut printed = String::new();
    source(ast, &mut printed);
    let again = parse_expression_arena(&printed, &arena).expect("printed source re-parses");
    assert_eq!(
        ast.sexpr().to_string(),
        again.sexpr().to_string(),
        "`{src}` → `{printed}`"
    );
});
