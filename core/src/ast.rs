//! The syntax tree, allocated in the caller's arena.
//!
//! Nodes are `&'a Ast<'a>` and names are `&'a str`, all inside one
//! `bumpalo::Bump`; dropping or resetting the arena frees the whole tree at
//! once. The tree keeps every node's byte span, so tools (the playground)
//! can highlight the source of any node.

use alloc::vec::Vec;
use core::fmt;

use crate::error::Span;
use crate::fallible::{AllocError, try_push};

/// A prefix operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x` (kept in the tree; compiles to nothing)
    Plus,
    /// `!x`: 1 when `x == 0`, else 0
    Not,
}

/// A binary operator, including the short-circuit and sequence operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `a , b`
    Seq,
    /// `a || b`
    Or,
    /// `a && b`
    And,
    /// `a == b`
    Eq,
    /// `a != b`
    Ne,
    /// `a < b`
    Lt,
    /// `a <= b`
    Le,
    /// `a > b`
    Gt,
    /// `a >= b`
    Ge,
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    Div,
    /// `a % b` (C `fmod`)
    Rem,
    /// `a ^ b` or `a ** b` (C `pow`)
    Pow,
}

impl UnaryOp {
    /// The operator as written.
    pub const fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Plus => "+",
            UnaryOp::Not => "!",
        }
    }
}

impl BinaryOp {
    /// The operator as written (`^` for both spellings of power).
    pub const fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Seq => ",",
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Pow => "^",
        }
    }
}

/// One node of the syntax tree.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ast<'a> {
    /// What the node is.
    pub kind: AstKind<'a>,
    /// The bytes of the source this node covers.
    pub span: Span,
}

/// The node kinds. Operands of calls, indexing and attributes are names,
/// as in SPEC.md: only a caller-bound name can be called, indexed or have a
/// field read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AstKind<'a> {
    /// A number literal, kept as written (each precision parses it itself,
    /// rounding once).
    Number(&'a str),
    /// A name: parameter, constant, or (an error) a function/array used as value.
    Name(&'a str),
    /// A prefix operator applied to an operand.
    Unary(UnaryOp, &'a Ast<'a>),
    /// A binary operator.
    Binary(BinaryOp, &'a Ast<'a>, &'a Ast<'a>),
    /// `cond ? then : else`.
    Conditional(&'a Ast<'a>, &'a Ast<'a>, &'a Ast<'a>),
    /// `name(args…)`.
    Call {
        /// The function's name.
        name: &'a str,
        /// Where the name is.
        name_span: Span,
        /// The arguments, in order.
        args: &'a [Ast<'a>],
    },
    /// `name[index]`.
    Index {
        /// The array's name.
        name: &'a str,
        /// Where the name is.
        name_span: Span,
        /// The index expression.
        index: &'a Ast<'a>,
    },
    /// `object.field`.
    Field {
        /// The object's name.
        object: &'a str,
        /// Where the object's name is.
        object_span: Span,
        /// The field's name.
        field: &'a str,
        /// Where the field's name is.
        field_span: Span,
    },
}

impl<'a> Ast<'a> {
    /// The direct children of this node, left to right.
    pub fn children(&self) -> Children<'a> {
        let mut c = Children {
            items: [None; 3],
            slice: &[],
            pos: 0,
        };
        match self.kind {
            AstKind::Number(_) | AstKind::Name(_) | AstKind::Field { .. } => {}
            AstKind::Unary(_, a) => c.items[0] = Some(a),
            AstKind::Binary(_, a, b) => c.items = [Some(a), Some(b), None],
            AstKind::Conditional(a, b, d) => c.items = [Some(a), Some(b), Some(d)],
            AstKind::Call { args, .. } => c.slice = args,
            AstKind::Index { index, .. } => c.items[0] = Some(index),
        }
        c
    }

    /// Number of nodes in the tree rooted here (the playground shows it).
    pub fn node_count(&self) -> usize {
        let mut count = 0;
        self.walk(&mut |_| count += 1);
        count
    }

    /// Calls `f` on every node, parents before children (pre-order). It
    /// keeps its work list on the heap (setup-time code uses it), so the
    /// machine stack does not grow with the tree.
    /// Aborts if the heap is exhausted; [`Ast::try_walk`] stops with the
    /// error instead.
    pub fn walk(&self, f: &mut dyn FnMut(&Ast<'a>)) {
        self.try_walk(f)
            .unwrap_or_else(|_| crate::fallible::abort_on_oom());
    }

    /// [`Ast::walk`], or [`AllocError`] (after visiting some nodes) if the
    /// heap cannot hold its work list.
    pub fn try_walk(&self, f: &mut dyn FnMut(&Ast<'a>)) -> Result<(), AllocError> {
        f(self);
        // One children iterator per level: no reversing, no indexing (no
        // panic path on the C path, issue 14).
        let mut stack: Vec<Children<'a>> = Vec::new();
        try_push(&mut stack, self.children())?;
        while let Some(top) = stack.last_mut() {
            match top.next() {
                Some(node) => {
                    f(node);
                    try_push(&mut stack, node.children())?;
                }
                None => {
                    stack.pop();
                }
            }
        }
        Ok(())
    }

    /// The tree as an S-expression: `-2^2` → `(- (^ 2 2))`,
    /// `f(x, 1)` → `(call f x 1)`, `a[i]` → `(index a i)`,
    /// `p.x` → `(. p x)`, `c ? a : b` → `(? c a b)`.
    pub fn sexpr(&self) -> SExpr<'_, 'a> {
        SExpr(self)
    }
}

/// Iterator over a node's children; see [`Ast::children`].
pub struct Children<'a> {
    items: [Option<&'a Ast<'a>>; 3],
    slice: &'a [Ast<'a>],
    pos: usize,
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a Ast<'a>;

    fn next(&mut self) -> Option<&'a Ast<'a>> {
        if let Some((first, rest)) = self.slice.split_first() {
            self.slice = rest;
            return Some(first);
        }
        let item = self.items.get(self.pos).copied().flatten();
        self.pos += 1;
        item
    }
}

/// Displays an [`Ast`] as an S-expression; see [`Ast::sexpr`].
pub struct SExpr<'r, 'a>(&'r Ast<'a>);

impl fmt::Display for SExpr<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.0;
        let head = match node.kind {
            AstKind::Number(text) => return f.write_str(text),
            AstKind::Name(name) => return f.write_str(name),
            AstKind::Field { object, field, .. } => return write!(f, "(. {object} {field})"),
            AstKind::Unary(op, _) => op.symbol(),
            AstKind::Binary(op, _, _) => op.symbol(),
            AstKind::Conditional(..) => "?",
            AstKind::Call { name, .. } => {
                write!(f, "(call {name}")?;
                for arg in node.children() {
                    write!(f, " {}", arg.sexpr())?;
                }
                return f.write_str(")");
            }
            AstKind::Index { name, index, .. } => {
                return write!(f, "(index {name} {})", index.sexpr());
            }
        };
        write!(f, "({head}")?;
        for child in node.children() {
            write!(f, " {}", child.sexpr())?;
        }
        f.write_str(")")
    }
}
