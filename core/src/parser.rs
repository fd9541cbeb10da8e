//! The Pratt parser: tokens in, an [`Ast`] in the caller's arena out.
//!
//! One `expr_bp(min_bp)` loop; precedence lives in the two small tables
//! [`infix_bp`] and [`PREFIX_BP`]. The recursion depth and the height of the
//! tree are both counted and capped ([`Limits::max_depth`]), so no input
//! can overflow the stack of the parser, the compiler or a tree walker.

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;

use crate::ast::{Ast, AstKind, BinaryOp, UnaryOp};
use crate::error::{Error, ErrorKind, Span};
use crate::lexer::{Lexer, Tok, Token};

/// The limits that keep hostile input harmless. See SPEC.md "Limits".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
}

impl Limits {
    /// The defaults: depth 256, 64 KiB of source, 256 nested calls.
    pub const DEFAULT: Limits = Limits {
        max_depth: 256,
        max_len: 64 * 1024,
        max_calls: 256,
    };
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
    let mut params = BumpVec::new_in(arena);
    if p.peek.tok != Tok::RParen {
        loop {
            let tok = p.expect(Tok::Ident, ErrorKind::ExpectedOperand)?;
            let param = p.name(tok.span)?;
            if params.contains(&param) {
                return Err(Error::new(ErrorKind::DuplicateName, tok.span));
            }
            params.try_reserve(1).map_err(|_| p.full())?;
            params.push(param);
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
    depth: u32,
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
            depth: 0,
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
    fn expr_bp(&mut self, min_bp: u8) -> Result<(&'a Ast<'a>, Height), Error> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(Error::new(ErrorKind::TooDeep, self.peek.span));
        }
        let result = self.expr_bp_inner(min_bp);
        self.depth -= 1;
        result
    }

    fn expr_bp_inner(&mut self, min_bp: u8) -> Result<(&'a Ast<'a>, Height), Error> {
        let (mut lhs, mut lh) = self.operand()?;
        loop {
            let tok = self.peek;
            let Some((l_bp, r_bp)) = infix_bp(tok.tok) else {
                break;
            };
            if l_bp < min_bp {
                break;
            }
            self.bump()?;
            if tok.tok == Tok::Question {
                let (then, th) = self.expr_bp(r_bp)?;
                self.expect(Tok::Colon, ErrorKind::UnexpectedToken)?;
                let (els, eh) = self.expr_bp(r_bp)?;
                let span = lhs.span.to(els.span);
                (lhs, lh) = self.node(
                    AstKind::Conditional(lhs, then, els),
                    span,
                    1 + lh.max(th).max(eh),
                )?;
                continue;
            }
            let (rhs, rh) = self.expr_bp(r_bp)?;
            let Some(op) = binary_op(tok.tok) else { break };
            let span = lhs.span.to(rhs.span);
            (lhs, lh) = self.node(AstKind::Binary(op, lhs, rhs), span, 1 + lh.max(rh))?;
        }
        Ok((lhs, lh))
    }

    /// A prefix operator, a literal, a parenthesised expression or a name
    /// with its postfix forms.
    fn operand(&mut self) -> Result<(&'a Ast<'a>, Height), Error> {
        let tok = self.bump()?;
        let unary = match tok.tok {
            Tok::Minus => Some(UnaryOp::Neg),
            Tok::Plus => Some(UnaryOp::Plus),
            Tok::Bang => Some(UnaryOp::Not),
            _ => None,
        };
        if let Some(op) = unary {
            let (operand, h) = self.expr_bp(PREFIX_BP)?;
            return self.node(
                AstKind::Unary(op, operand),
                tok.span.to(operand.span),
                h + 1,
            );
        }
        match tok.tok {
            Tok::Number => {
                let text = self.name(tok.span)?;
                self.node(AstKind::Number(text), tok.span, 1)
            }
            Tok::LParen => {
                // Parentheses only group: no node of their own.
                let inner = self.expr_bp(0)?;
                self.close(Tok::RParen, tok.span)?;
                Ok(inner)
            }
            Tok::Ident => self.name_and_postfix(tok),
            _ => Err(Error::new(ErrorKind::ExpectedOperand, tok.span)),
        }
    }

    fn name_and_postfix(&mut self, tok: Token) -> Result<(&'a Ast<'a>, Height), Error> {
        let name = self.name(tok.span)?;
        let node = match self.peek.tok {
            Tok::LParen => {
                let open = self.bump()?;
                let mut args = BumpVec::new_in(self.arena);
                let mut height = 0;
                if self.peek.tok != Tok::RParen {
                    loop {
                        // Above `,` so commas separate arguments.
                        let (arg, h) = self.expr_bp(2)?;
                        height = height.max(h);
                        args.try_reserve(1).map_err(|_| self.full())?;
                        args.push(*arg);
                        if self.peek.tok != Tok::Comma {
                            break;
                        }
                        self.bump()?;
                    }
                }
                let close = self.close(Tok::RParen, open.span)?;
                let kind = AstKind::Call {
                    name,
                    name_span: tok.span,
                    args: args.into_bump_slice(),
                };
                self.node(kind, tok.span.to(close.span), height + 1)?
            }
            Tok::LBracket => {
                let open = self.bump()?;
                let (index, h) = self.expr_bp(2)?;
                let close = self.close(Tok::RBracket, open.span)?;
                let kind = AstKind::Index {
                    name,
                    name_span: tok.span,
                    index,
                };
                self.node(kind, tok.span.to(close.span), h + 1)?
            }
            Tok::Dot => {
                self.bump()?;
                let field = self.expect(Tok::Ident, ErrorKind::ExpectedName)?;
                let kind = AstKind::Field {
                    object: name,
                    object_span: tok.span,
                    field: self.name(field.span)?,
                    field_span: field.span,
                };
                self.node(kind, tok.span.to(field.span), 1)?
            }
            _ => self.node(AstKind::Name(name), tok.span, 1)?,
        };
        // Only a bare name can be called, indexed or have a field read:
        // `f(1)(2)`, `a[1][2]` and `p.x.y` stop here with the stray token.
        if matches!(self.peek.tok, Tok::LParen | Tok::LBracket | Tok::Dot) {
            return Err(Error::new(ErrorKind::UnexpectedToken, self.peek.span));
        }
        Ok(node)
    }
}
