//! The tree, as S-expressions: one `check(input, expected)` per rule of
//! SPEC.md's precedence table.
#![allow(clippy::unwrap_used)]

use exp_rs::bumpalo::Bump;
use exp_rs::parse_expression_arena;

#[track_caller]
fn check(src: &str, expected: &str) {
    let arena = Bump::new();
    let ast = parse_expression_arena(src, &arena).unwrap();
    assert_eq!(ast.sexpr().to_string(), expected, "{src}");
}

#[test]
fn power_binds_tighter_than_prefix_on_its_left() {
    check("-2^2", "(- (^ 2 2))");
    check("2^-2", "(^ 2 (- 2))");
    check("2^-2^2", "(^ 2 (- (^ 2 2)))");
    check("-2**2", "(- (^ 2 2))");
    check("(-2)^2", "(^ (- 2) 2)");
    check("!x^2", "(! (^ x 2))");
}

#[test]
fn power_is_right_associative() {
    check("2^3^2", "(^ 2 (^ 3 2))");
    check("a**b**c", "(^ a (^ b c))");
}

#[test]
fn arithmetic_levels() {
    check("1 + 2 * 3", "(+ 1 (* 2 3))");
    check("1 - 2 - 3", "(- (- 1 2) 3)");
    check("8 / 4 / 2", "(/ (/ 8 4) 2)");
    check("7 % 3 * 2", "(* (% 7 3) 2)");
    check("-a * b", "(* (- a) b)");
    check("-a + b", "(+ (- a) b)");
    check("--a", "(- (- a))");
    check("+-!a", "(+ (- (! a)))");
}

#[test]
fn comparison_and_logic_levels() {
    check("3 > 2 > 1", "(> (> 3 2) 1)");
    check("a + 1 < b * 2", "(< (+ a 1) (* b 2))");
    check("a == b != c", "(!= (== a b) c)");
    check("a < b && c >= d", "(&& (< a b) (>= c d))");
    check("a || b && c", "(|| a (&& b c))");
    check("a && b || c && d", "(|| (&& a b) (&& c d))");
    check("!a == b", "(== (! a) b)");
}

#[test]
fn conditional_is_right_associative_and_low() {
    check("a ? b : c", "(? a b c)");
    check("a ? b : c ? d : e", "(? a b (? c d e))");
    check("a ? b ? c : d : e", "(? a (? b c d) e)");
    check("a || b ? c + 1 : d", "(? (|| a b) (+ c 1) d)");
}

#[test]
fn comma_is_lowest_and_not_inside_calls() {
    check("a, b, c", "(, (, a b) c)");
    check("a ? b : c, d", "(, (? a b c) d)");
    check("max(a, b)", "(call max a b)");
    check("max((a, b), c)", "(call max (, a b) c)");
    check("t[(a, b)]", "(index t (, a b))");
}

#[test]
fn postfix_forms() {
    check("f()", "(call f)");
    check("sin(x) + cos(y)", "(+ (call sin x) (call cos y))");
    check("a[i + 1] * 2", "(* (index a (+ i 1)) 2)");
    check("p.x ^ 2", "(^ (. p x) 2)");
    check("-p.x", "(- (. p x))");
    check("f(g(h(1)))", "(call f (call g (call h 1)))");
}

#[test]
fn literals_keep_their_text() {
    check("1.5e3 + .5 + 1. + 2.5E-3", "(+ (+ (+ 1.5e3 .5) 1.) 2.5E-3)");
    check("(((x)))", "x");
    check(" \t\r\n x \n", "x");
}

#[test]
fn tree_is_walkable() {
    let arena = Bump::new();
    let ast = parse_expression_arena("x * sin(y) + z", &arena).unwrap();
    assert_eq!(ast.node_count(), 6);
    let mut names = Vec::new();
    ast.walk(&mut |n| {
        if let exp_rs::AstKind::Name(s) = n.kind {
            names.push(s);
        }
    });
    assert_eq!(names, ["x", "y", "z"]);
    let children: Vec<String> = ast.children().map(|c| c.sexpr().to_string()).collect();
    assert_eq!(children, ["(* x (call sin y))", "z"]);
}

#[test]
fn spans_cover_the_parentheses_of_their_operands() {
    let arena = Bump::new();
    let span_of = |src: &'static str| {
        let ast = parse_expression_arena(src, &arena).unwrap();
        ast.span.text(src)
    };
    assert_eq!(span_of("-(2)"), "-(2)");
    assert_eq!(span_of("(1 + 2) * x"), "(1 + 2) * x");
    assert_eq!(span_of("x * (1 + 2)"), "x * (1 + 2)");
    assert_eq!(span_of("(c) ? (a) : (b)"), "(c) ? (a) : (b)");
    // A group alone is its contents.
    assert_eq!(span_of("((x))"), "x");
}
