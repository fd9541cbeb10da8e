//! The Pratt parser: tokens in, an [`Ast`] in the caller's arena out.
//!
//! One `expr_bp(min_bp)` loop; precedence lives in the two small tables
//! [`infix_bp`] and [`PREFIX_BP`]. The loop keeps what it has opened on an
//! explicit stack in the arena instead of recursing, so no input can
//! overflow the machine stack. The nesting depth and the height of the tree
//! are both capped ([`Limits::max_depth`]), which bounds the compiler's
//! work lists and any tree walk too.

use crate::arena_vec::ArenaVec;
use bumpalo::Bump;

use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::error::{Error, ErrorKind, Span};
use crate::lexer::{Lexer, Tok, Token};

/// The limits that keep hostile input harmless. See SPEC.md "Limits and
/// errors".
///
/// `#[non_exhaustive]`: start from [`Limits::DEFAULT`] and change what you
/// need with the `with_*` setters, so a limit added later breaks nothing.
///
/// ```
/// let limits = exp_rs::Limits::DEFAULT.with_max_depth(32).with_max_steps(10_000);
/// assert_eq!((limits.max_depth, limits.max_steps), (32, 10_000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest nesting of the expression tree (default 256). Deeper input is
    /// [`ErrorKind::TooDeep`].
    pub max_depth: u32,
    /// Longest source in bytes (default 65,536). Longer input is
    /// [`ErrorKind::TooLong`].
    pub max_len: u32,
    /// Deepest chain of expression-function calls at evaluation time
    /// (default 256). Deeper is [`ErrorKind::RecursionLimit`].
    pub max_calls: u32,
    /// Most expression-function calls in one evaluation of one expression,
    /// nested or not (default 1,000,000; a [`Batch`](crate::Batch) counts
    /// each expression separately). More is [`ErrorKind::RecursionLimit`].
    pub max_total_calls: u32,
    /// Most instructions one evaluation of one expression executes
    /// (default 10,000,000). More is [`ErrorKind::StepLimit`]. This is the
    /// bound on running time: without expression-function calls a program
    /// runs each instruction at most once, and every call's body counts.
    /// Steps are the compiled program's instructions, so they depend on
    /// the compiler: calls of small functions are inlined only when every
    /// call of the expression can be (a recursive call anywhere keeps them
    /// all as calls, a few steps each more). On 32-bit targets a budget
    /// within a program's length of `u32::MAX` is not exact.
    pub max_steps: u32,
}

impl Limits {
    /// The defaults: depth 256, 64 KiB of source, 256 nested calls,
    /// 1,000,000 calls and 10,000,000 steps per evaluation.
    pub const DEFAULT: Limits = Limits {
        max_depth: 256,
        max_len: 64 * 1024,
        max_calls: 256,
        max_total_calls: 1_000_000,
        max_steps: 10_000_000,
    };

    /// With [`Limits::max_depth`] set to `n`.
    #[must_use]
    pub const fn with_max_depth(mut self, n: u32) -> Limits {
        self.max_depth = n;
        self
    }

    /// With [`Limits::max_len`] set to `n`.
    #[must_use]
    pub const fn with_max_len(mut self, n: u32) -> Limits {
        self.max_len = n;
        self
    }

    /// With [`Limits::max_calls`] set to `n`.
    #[must_use]
    pub const fn with_max_calls(mut self, n: u32) -> Limits {
        self.max_calls = n;
        self
    }

    /// With [`Limits::max_total_calls`] set to `n`.
    #[must_use]
    pub const fn with_max_total_calls(mut self, n: u32) -> Limits {
        self.max_total_calls = n;
        self
    }

    /// With [`Limits::max_steps`] set to `n`.
    #[must_use]
    pub const fn with_max_steps(mut self, n: u32) -> Limits {
        self.max_steps = n;
        self
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// Parses `src` into a tree in `arena` with the default [`Limits`].
///
/// This is the entry point of the original exp-rs, kept under its name.
/// The tree can be walked, printed ([`Ast::sexpr`]), evaluated directly
/// with [`eval_ast`](crate::eval_ast) or compiled by
/// [`Expr::from_ast`](crate::Expr::from_ast).
///
/// # Example
/// ```
/// let arena = bumpalo::Bump::new();
/// let ast = exp_rs::parse_expression_arena("-2^2", &arena).unwrap();
/// assert_eq!(ast.sexpr().to_string(), "(- (^ 2 2))");
/// ```
pub fn parse_expression_arena<'a>(src: &str, arena: &'a Bump) -> Result<&'a Ast<'a>, Error> {
    parse(src, arena, &Limits::DEFAULT)
}

/// Parses `src` into a tree in `arena` with the given limits.
pub fn parse<'a>(src: &str, arena: &'a Bump, limits: &Limits) -> Result<&'a Ast<'a>, Error> {
    let mut p = Parser::new(src, arena, limits)?;
    let (ast, _) = p.expr_bp(0)?;
    p.expect_end()?;
    Ok(ast)
}

/// A parsed expression-function definition `name(p1, p2, …) = body`.
#[derive(Clone, Copy, Debug)]
pub struct Definition<'a> {
    /// The function's name.
    pub name: &'a str,
    /// Its parameters, in order.
    pub params: &'a [&'a str],
    /// Its body.
    pub body: &'a Ast<'a>,
}

/// Parses `name(p1, p2, …) = body` (spans refer to `src`).
pub fn parse_definition<'a>(
    src: &str,
    arena: &'a Bump,
    limits: &Limits,
) -> Result<Definition<'a>, Error> {
    let mut p = Parser::new(src, arena, limits)?;
    let name_tok = p.expect(Tok::Ident, ErrorKind::ExpectedOperand)?;
    let name = p.name(name_tok.span)?;
    let open = p.expect(Tok::LParen, ErrorKind::UnexpectedToken)?;
    let mut params = ArenaVec::new_in(arena);
    if p.peek.tok != Tok::RParen {
        loop {
            let tok = p.expect(Tok::Ident, ErrorKind::ExpectedOperand)?;
            let param = p.name(tok.span)?;
            if params.contains(&param) {
                return Err(Error::new(ErrorKind::DuplicateName, tok.span));
            }
            params.try_push(param).map_err(|_| p.full())?;
            if p.peek.tok != Tok::Comma {
                break;
            }
            p.bump()?;
        }
    }
    p.close(Tok::RParen, open.span)?;
    p.expect(Tok::Assign, ErrorKind::UnexpectedToken)?;
    let (body, _) = p.expr_bp(0)?;
    p.expect_end()?;
    Ok(Definition {
        name,
        params: params.into_bump_slice(),
        body,
    })
}

/// Binding powers of the prefix operators: tighter than `* / %`, looser
/// than `^`, so `-2^2` is `-(2^2)` and `-2*3` is `(-2)*3`.
const PREFIX_BP: u8 = 15;

/// `(left, right)` binding powers of an infix operator token; left-assoc
/// operators have `right = left + 1`, right-assoc ones `right = left - 1`.
fn infix_bp(tok: Tok) -> Option<(u8, u8)> {
    Some(match tok {
        Tok::Comma => (1, 2),
        Tok::Question => (4, 3),
        Tok::OrOr => (5, 6),
        Tok::AndAnd => (7, 8),
        Tok::EqEq | Tok::NotEq | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => (9, 10),
        Tok::Plus | Tok::Minus => (11, 12),
        Tok::Star | Tok::Slash | Tok::Percent => (13, 14),
        Tok::Caret => (18, 17),
        _ => return None,
    })
}

fn binary_op(tok: Tok) -> Option<BinaryOp> {
    Some(match tok {
        Tok::Comma => BinaryOp::Seq,
        Tok::OrOr => BinaryOp::Or,
        Tok::AndAnd => BinaryOp::And,
        Tok::EqEq => BinaryOp::Eq,
        Tok::NotEq => BinaryOp::Ne,
        Tok::Lt => BinaryOp::Lt,
        Tok::Le => BinaryOp::Le,
        Tok::Gt => BinaryOp::Gt,
        Tok::Ge => BinaryOp::Ge,
        Tok::Plus => BinaryOp::Add,
        Tok::Minus => BinaryOp::Sub,
        Tok::Star => BinaryOp::Mul,
        Tok::Slash => BinaryOp::Div,
        Tok::Percent => BinaryOp::Rem,
        Tok::Caret => BinaryOp::Pow,
        _ => return None,
    })
}

/// Height of a subtree, carried next to each node while parsing.
type Height = u32;

struct Parser<'s, 'a> {
    src: &'s str,
    lexer: Lexer<'s>,
    peek: Token,
    arena: &'a Bump,
    limits: Limits,
}

impl<'s, 'a> Parser<'s, 'a> {
    fn new(src: &'s str, arena: &'a Bump, limits: &Limits) -> Result<Self, Error> {
        if src.len() > limits.max_len as usize {
            let end = u32::try_from(src.len()).unwrap_or(u32::MAX);
            return Err(Error::new(
                ErrorKind::TooLong,
                Span::new(limits.max_len, end),
            ));
        }
        let mut lexer = Lexer::new(src);
        let peek = lexer.next_token()?;
        Ok(Parser {
            src,
            lexer,
            peek,
            arena,
            limits: *limits,
        })
    }

    fn bump(&mut self) -> Result<Token, Error> {
        let tok = self.peek;
        self.peek = self.lexer.next_token()?;
        Ok(tok)
    }

    fn full(&self) -> Error {
        Error::new(ErrorKind::ArenaFull, self.peek.span)
    }

    fn expect(&mut self, tok: Tok, kind: ErrorKind) -> Result<Token, Error> {
        if self.peek.tok == tok {
            self.bump()
        } else {
            Err(Error::new(kind, self.peek.span))
        }
    }

    /// Consumes the closer of `open`; at end of input the opener is the
    /// error (`UnclosedDelimiter`), anywhere else the stray token.
    fn close(&mut self, closer: Tok, open: Span) -> Result<Token, Error> {
        match self.peek.tok {
            t if t == closer => self.bump(),
            Tok::Eof => Err(Error::new(ErrorKind::UnclosedDelimiter, open)),
            _ => Err(Error::new(ErrorKind::UnexpectedToken, self.peek.span)),
        }
    }

    fn expect_end(&mut self) -> Result<(), Error> {
        match self.peek.tok {
            Tok::Eof => Ok(()),
            _ => Err(Error::new(ErrorKind::UnexpectedToken, self.peek.span)),
        }
    }

    fn name(&self, span: Span) -> Result<&'a str, Error> {
        let text = span.text(self.src);
        let name: &'a str = self.arena.try_alloc_str(text).map_err(|_| self.full())?;
        Ok(name)
    }

    fn node(
        &self,
        kind: AstKind<'a>,
        span: Span,
        height: Height,
    ) -> Result<(&'a Ast<'a>, Height), Error> {
        if height > self.limits.max_depth {
            return Err(Error::new(ErrorKind::TooDeep, span));
        }
        let node: &'a Ast<'a> = self
            .arena
            .try_alloc(Ast { kind, span })
            .map_err(|_| self.full())?;
        Ok((node, height))
    }

    /// The Pratt loop: parses an expression whose operators all bind tighter
    /// than `min_bp`.
    ///
    /// It is the textbook recursive `expr_bp` with the recursion turned into
    /// an explicit stack of pending constructs ([`Pending`]) kept in the
    /// arena, so the machine stack stays constant however deep the input
    /// nests; the stack's length is the nesting depth that
    /// [`Limits::max_depth`] caps.
    fn expr_bp(&mut self, min_bp: u8) -> Result<(&'a Ast<'a>, Height), Error> {
        let mut stack: ArenaVec<'a, Pending<'a>> = ArenaVec::new_in(self.arena);
        let mut min_bp = min_bp;
        'operand: loop {
            // Parse one operand, pushing every construct it opens.
            let (mut lhs, mut lh) = loop {
                let tok = self.bump()?;
                let opened = match tok.tok {
                    Tok::Minus => Pending::Prefix(UnaryOp::Neg, tok.span, min_bp),
                    Tok::Plus => Pending::Prefix(UnaryOp::Plus, tok.span, min_bp),
                    Tok::Bang => Pending::Prefix(UnaryOp::Not, tok.span, min_bp),
                    Tok::LParen => Pending::Paren(tok.span, min_bp),
                    Tok::Number => {
                        let text = self.name(tok.span)?;
                        break self.node(AstKind::Number(text), tok.span, 1)?;
                    }
                    Tok::Ident => match self.peek.tok {
                        Tok::LParen => {
                            let open = self.bump()?;
                            let name = self.name(tok.span)?;
                            if self.peek.tok == Tok::RParen {
                                let close = self.bump()?;
                                let kind = AstKind::Call {
                                    name,
                                    name_span: tok.span,
                                    args: &[],
                                };
                                break self.postfix_end(kind, tok.span.to(close.span), 1)?;
                            }
                            let args = ArenaVec::new_in(self.arena);
                            Pending::Args(
                                self.arena
                                    .try_alloc(ArgList {
                                        name,
                                        name_span: tok.span,
                                        open: open.span,
                                        args,
                                        height: 0,
                                        min_bp,
                                    })
                                    .map_err(|_| self.full())?,
                            )
                        }
                        Tok::LBracket => {
                            let open = self.bump()?;
                            let name = self.name(tok.span)?;
                            Pending::Index(name, tok.span, open.span, min_bp)
                        }
                        Tok::Dot => {
                            self.bump()?;
                            let field = self.expect(Tok::Ident, ErrorKind::ExpectedName)?;
                            let kind = AstKind::Field {
                                object: self.name(tok.span)?,
                                object_span: tok.span,
                                field: self.name(field.span)?,
                                field_span: field.span,
                            };
                            break self.postfix_end(kind, tok.span.to(field.span), 1)?;
                        }
                        _ => {
                            let name = self.name(tok.span)?;
                            break self.node(AstKind::Name(name), tok.span, 1)?;
                        }
                    },
                    _ => return Err(Error::new(ErrorKind::ExpectedOperand, tok.span)),
                };
                min_bp = opened.inner_bp();
                self.open(&mut stack, opened)?;
            };
            // The operand's extent in the source, with the parentheses
            // around it: what the spans of the nodes built on it cover.
            let mut outer = lhs.span;
            // Extend it with operators, or close what is pending.
            loop {
                if let Some((l_bp, r_bp)) = infix_bp(self.peek.tok) {
                    if l_bp >= min_bp {
                        let tok = self.bump()?;
                        let pending = match binary_op(tok.tok) {
                            Some(op) => Pending::Infix(op, lhs, outer, lh, min_bp),
                            None => Pending::Then(lhs, outer, lh, min_bp),
                        };
                        self.open(&mut stack, pending)?;
                        min_bp = r_bp;
                        continue 'operand;
                    }
                }
                let Some(pending) = stack.pop() else {
                    return Ok((lhs, lh));
                };
                match pending {
                    Pending::Prefix(op, span, bp) => {
                        (lhs, lh) = self.node(AstKind::Unary(op, lhs), span.to(outer), lh + 1)?;
                        min_bp = bp;
                    }
                    Pending::Infix(op, l, l_outer, h, bp) => {
                        let span = l_outer.to(outer);
                        (lhs, lh) = self.node(AstKind::Binary(op, l, lhs), span, 1 + h.max(lh))?;
                        min_bp = bp;
                    }
                    Pending::Then(cond, c_outer, ch, bp) => {
                        self.expect(Tok::Colon, ErrorKind::UnexpectedToken)?;
                        min_bp = 3;
                        let pending = Pending::Else(cond, c_outer, lhs, ch.max(lh), bp);
                        self.open(&mut stack, pending)?;
                        continue 'operand;
                    }
                    Pending::Else(cond, c_outer, then, h, bp) => {
                        let span = c_outer.to(outer);
                        (lhs, lh) =
                            self.node(AstKind::Conditional(cond, then, lhs), span, 1 + h.max(lh))?;
                        min_bp = bp;
                    }
                    Pending::Paren(open, bp) => {
                        let close = self.close(Tok::RParen, open)?;
                        min_bp = bp;
                        outer = open.to(close.span);
                        continue;
                    }
                    Pending::Index(name, name_span, open, outer) => {
                        let close = self.close(Tok::RBracket, open)?;
                        let kind = AstKind::Index {
                            name,
                            name_span,
                            index: lhs,
                        };
                        (lhs, lh) = self.postfix_end(kind, name_span.to(close.span), lh + 1)?;
                        min_bp = outer;
                    }
                    Pending::Args(list) => {
                        list.args.try_push(*lhs).map_err(|_| self.full())?;
                        list.height = list.height.max(lh);
                        if self.peek.tok == Tok::Comma {
                            self.bump()?;
                            min_bp = 2;
                            self.open(&mut stack, Pending::Args(list))?;
                            continue 'operand;
                        }
                        let close = self.close(Tok::RParen, list.open)?;
                        let kind = AstKind::Call {
                            name: list.name,
                            name_span: list.name_span,
                            args: core::mem::replace(&mut list.args, ArenaVec::new_in(self.arena))
                                .into_bump_slice(),
                        };
                        (lhs, lh) =
                            self.postfix_end(kind, list.name_span.to(close.span), list.height + 1)?;
                        min_bp = list.min_bp;
                    }
                }
                outer = lhs.span;
            }
        }
    }

    /// Pushes a pending construct, counting it against the depth limit.
    fn open(
        &self,
        stack: &mut ArenaVec<'a, Pending<'a>>,
        pending: Pending<'a>,
    ) -> Result<(), Error> {
        if stack.len() + 1 >= self.limits.max_depth as usize {
            return Err(Error::new(ErrorKind::TooDeep, self.peek.span));
        }
        stack.try_push(pending).map_err(|_| self.full())?;
        Ok(())
    }

    /// Makes the node of a call, index or field. Only a bare name can be
    /// called, indexed or have a field read: `f(1)(2)`, `a[1][2]` and
    /// `p.x.y` stop here with the stray token.
    fn postfix_end(
        &self,
        kind: AstKind<'a>,
        span: Span,
        height: Height,
    ) -> Result<(&'a Ast<'a>, Height), Error> {
        if matches!(self.peek.tok, Tok::LParen | Tok::LBracket | Tok::Dot) {
            return Err(Error::new(ErrorKind::UnexpectedToken, self.peek.span));
        }
        self.node(kind, span, height)
    }
}

/// A construct the parser has opened and not yet closed: what the textbook
/// recursive Pratt parser keeps in its call stack. Each carries the binding
/// power of the loop to return to.
enum Pending<'a> {
    /// A prefix operator waiting for its operand.
    Prefix(UnaryOp, Span, u8),
    /// `lhs op` waiting for the right operand (with `lhs`'s extent,
    /// parentheses included).
    Infix(BinaryOp, &'a Ast<'a>, Span, Height, u8),
    /// `cond ?` waiting for the then-branch.
    Then(&'a Ast<'a>, Span, Height, u8),
    /// `cond ? then :` waiting for the else-branch.
    Else(&'a Ast<'a>, Span, &'a Ast<'a>, Height, u8),
    /// `(` waiting for its contents.
    Paren(Span, u8),
    /// `name[` waiting for the index.
    Index(&'a str, Span, Span, u8),
    /// `name(args,` waiting for the next argument.
    Args(&'a mut ArgList<'a>),
}

impl Pending<'_> {
    /// The binding power the construct's first operand is parsed with.
    fn inner_bp(&self) -> u8 {
        match self {
            Pending::Prefix(..) => PREFIX_BP,
            Pending::Paren(..) => 0,
            // Above `,` so commas separate arguments and index expressions
            // stay single expressions.
            Pending::Index(..) | Pending::Args(..) => 2,
            Pending::Infix(..) | Pending::Then(..) | Pending::Else(..) => 0,
        }
    }
}

/// The arguments of a call being parsed.
struct ArgList<'a> {
    name: &'a str,
    name_span: Span,
    open: Span,
    args: ArenaVec<'a, Ast<'a>>,
    height: Height,
    min_bp: u8,
}
