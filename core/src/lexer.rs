//! The lexer: bytes in, tokens with byte spans out. No allocation.

use crate::error::{Error, ErrorKind, Span};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A number literal (its text is the span).
    Number,
    /// An identifier (its text is the span).
    Ident,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `^` or `**`
    Caret,
    /// `!`
    Bang,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `?`
    Question,
    /// `:`
    Colon,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `=` (only valid in expression-function definitions)
    Assign,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// End of input (an empty span at the end).
    Eof,
}

/// A token and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it is.
    pub span: Span,
}

/// Splits a source string into tokens on demand.
pub(crate) struct Lexer<'s> {
    src: &'s [u8],
    pos: usize,
    /// The previous token was an identifier: a `.` after it is always the
    /// field operator, so `p.1` is a bad field name, not `p` then `.1`.
    after_ident: bool,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when `name` is an identifier of the language,
/// `[A-Za-z_][A-Za-z0-9_]*` (SPEC.md "Lexical"): the rule every door uses
/// to check the names a caller declares.
///
/// ```
/// assert!(exp_rs::is_identifier("x_1"));
/// assert!(!exp_rs::is_identifier("1x") && !exp_rs::is_identifier("a b") && !exp_rs::is_identifier(""));
/// ```
pub fn is_identifier(name: &str) -> bool {
    match name.as_bytes().split_first() {
        Some((&first, rest)) => is_ident_start(first) && rest.iter().all(|&b| is_ident_continue(b)),
        None => false,
    }
}

impl<'s> Lexer<'s> {
    /// A lexer over `src`. The caller has checked that `src.len()` fits in
    /// a `u32` (the parser's length limit does).
    pub(crate) fn new(src: &'s str) -> Lexer<'s> {
        Lexer {
            src: src.as_bytes(),
            pos: 0,
            after_ident: false,
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(start as u32, self.pos as u32)
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// The next token, or the error for the next bad character or literal.
    pub(crate) fn next_token(&mut self) -> Result<Token, Error> {
        let token = self.scan();
        self.after_ident = matches!(
            token,
            Ok(Token {
                tok: Tok::Ident,
                ..
            })
        );
        token
    }

    fn scan(&mut self) -> Result<Token, Error> {
        let after_ident = self.after_ident;
        while matches!(self.peek(0), b' ' | b'\t' | b'\r' | b'\n') {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&b) = self.src.get(self.pos) else {
            return Ok(Token {
                tok: Tok::Eof,
                span: self.span(start),
            });
        };
        if b.is_ascii_digit() || (b == b'.' && !after_ident && self.peek(1).is_ascii_digit()) {
            return self.number(start);
        }
        if is_ident_start(b) {
            while is_ident_continue(self.peek(0)) {
                self.pos += 1;
            }
            return Ok(Token {
                tok: Tok::Ident,
                span: self.span(start),
            });
        }
        let (tok, len) = match (b, self.peek(1)) {
            (b'*', b'*') => (Tok::Caret, 2),
            (b'=', b'=') => (Tok::EqEq, 2),
            (b'!', b'=') => (Tok::NotEq, 2),
            (b'<', b'=') => (Tok::Le, 2),
            (b'>', b'=') => (Tok::Ge, 2),
            (b'&', b'&') => (Tok::AndAnd, 2),
            (b'|', b'|') => (Tok::OrOr, 2),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'%', _) => (Tok::Percent, 1),
            (b'^', _) => (Tok::Caret, 1),
            (b'!', _) => (Tok::Bang, 1),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', _) => (Tok::Gt, 1),
            (b'?', _) => (Tok::Question, 1),
            (b':', _) => (Tok::Colon, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'.', _) => (Tok::Dot, 1),
            (b'=', _) => (Tok::Assign, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'[', _) => (Tok::LBracket, 1),
            (b']', _) => (Tok::RBracket, 1),
            _ => {
                // Span the whole UTF-8 character, not just its first byte.
                self.pos += 1;
                while self.peek(0) & 0xC0 == 0x80 {
                    self.pos += 1;
                }
                return Err(Error::new(ErrorKind::InvalidCharacter, self.span(start)));
            }
        };
        self.pos += len;
        Ok(Token {
            tok,
            span: self.span(start),
        })
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`, or `. digits ...`. A literal
    /// running straight into another `.`, a letter, `_` or a bad exponent is
    /// one `InvalidNumber` spanning the whole run.
    fn number(&mut self, start: usize) -> Result<Token, Error> {
        let mut ok = true;
        while self.peek(0).is_ascii_digit() {
            self.pos += 1;
        }
        if self.peek(0) == b'.' {
            self.pos += 1;
            while self.peek(0).is_ascii_digit() {
                self.pos += 1;
            }
        }
        if matches!(self.peek(0), b'e' | b'E') {
            self.pos += 1;
            if matches!(self.peek(0), b'+' | b'-') {
                self.pos += 1;
            }
            if !self.peek(0).is_ascii_digit() {
                ok = false;
            }
            while self.peek(0).is_ascii_digit() {
                self.pos += 1;
            }
        }
        // Anything literal-like glued on (`1.2.3`, `1e2e3`, `2x`) poisons it.
        while self.peek(0) == b'.' || is_ident_continue(self.peek(0)) {
            ok = false;
            self.pos += 1;
        }
        if ok {
            Ok(Token {
                tok: Tok::Number,
                span: self.span(start),
            })
        } else {
            Err(Error::new(ErrorKind::InvalidNumber, self.span(start)))
        }
    }
}
