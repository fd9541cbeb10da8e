//! Errors: a small `Copy` value with a kind and a byte span.
//!
//! No error owns a `String`: the human message is the kind's text, and the
//! caret rendering of SPEC.md is produced on demand from `(source, error)` by
//! [`Error::render`].

use core::fmt;

/// A half-open byte range `start..end` into the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    #[inline]
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The span covering both `self` and `other`.
    #[inline]
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The text of the span in `src`, or `""` when it does not fit.
    pub fn text(self, src: &str) -> &str {
        src.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Defines [`ErrorKind`] and its tables from one list: a row per kind, with
/// its doc comment, variant, stable number and message. The name is the
/// variant's. Everything else that lists kinds (the C door's status enum,
/// the TypeScript union) is written from [`ErrorKind::ALL`] by
/// `cargo xtask gen`, and `cargo xtask test` fails when a copy is stale.
macro_rules! error_kinds {
    ($(
        $(#[doc = $doc:literal])+
        $variant:ident = $code:literal, $message:literal;
    )+) => {
        /// What went wrong. The numbers are stable: the C and JS doors expose
        /// them. New kinds take the next free number; numbers are never
        /// reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[repr(u8)]
        pub enum ErrorKind {
            $(
                $(#[doc = $doc])+
                $variant = $code,
            )+
        }

        impl ErrorKind {
            /// Every kind, in number order (for tables in the C and JS doors).
            pub const ALL: [ErrorKind; [$(ErrorKind::$variant),+].len()] =
                [$(ErrorKind::$variant),+];

            /// The short human message for this kind.
            pub const fn message(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => $message,)+
                }
            }

            /// The kind's name, as in the conformance table and the JS `kind`
            /// field.
            pub const fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => stringify!($variant),)+
                }
            }

            /// The kind's doc comment (one line per source line, without the
            /// leading `///`), for the generated copies in the doors.
            #[doc(hidden)]
            pub const fn doc(self) -> &'static str {
                match self {
                    $(ErrorKind::$variant => concat!($($doc, "\n"),+),)+
                }
            }

            /// The kind with this stable number (`kind.code()`), as the C and
            /// JS doors report it.
            ///
            /// ```
            /// use exp_rs::ErrorKind;
            /// assert_eq!(ErrorKind::from_code(ErrorKind::Arity.code()), Some(ErrorKind::Arity));
            /// assert_eq!(ErrorKind::from_code(0), None);
            /// ```
            pub const fn from_code(code: u8) -> Option<ErrorKind> {
                match code {
                    $($code => Some(ErrorKind::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

error_kinds! {
    // --- syntax (parse time) ---
    /// A character that is not part of the language.
    InvalidCharacter = 1, "invalid character";
    /// A malformed number literal such as `1.2.3`, `1e` or `2x`.
    InvalidNumber = 2, "invalid number literal";
    /// An operand was required but another token or the end came.
    ExpectedOperand = 3, "expected an operand";
    /// A token that cannot stand here (a stray token).
    UnexpectedToken = 4, "unexpected token";
    /// A `(` or `[` that is never closed; the span is the opener.
    UnclosedDelimiter = 5, "unclosed delimiter";
    /// `.` not followed by a field name.
    ExpectedName = 6, "expected a field name after `.`";
    /// Nesting deeper than the configured limit.
    TooDeep = 7, "expression nested too deeply";
    /// Input longer than the configured limit.
    TooLong = 8, "expression too long";
    /// The caller-capped arena is full.
    ArenaFull = 9, "arena is full";
    // --- names (compile time) ---
    /// An identifier that is not a parameter, constant, array or object.
    UnknownVariable = 10, "unknown variable";
    /// A call to a function that does not exist.
    UnknownFunction = 11, "unknown function";
    /// A call with the wrong number of arguments.
    Arity = 12, "wrong number of arguments";
    /// `obj.field` where `obj` has no such field.
    UnknownField = 13, "unknown field";
    /// A function, array or object used as a plain value.
    NotAValue = 14, "not a value";
    /// `x[i]` where `x` is not an array.
    NotAnArray = 15, "not an array";
    /// A name declared twice (parameters, function parameters).
    DuplicateName = 16, "name declared twice";
    // --- evaluation ---
    /// An array index that is negative, NaN or past the end.
    IndexOutOfBounds = 17, "index out of bounds";
    /// Expression-function calls nested past `Limits::max_calls`, or more
    /// calls in one evaluation than `Limits::max_total_calls`.
    RecursionLimit = 18, "recursion limit reached";
    /// A native function reported an error.
    Callback = 19, "native function failed";
    /// `eval` was given a different number of values than the parameters.
    ParamCount = 20, "wrong number of parameter values";
    /// An expression was evaluated again from inside its own evaluation
    /// (e.g. by a native callback).
    Reentrant = 21, "expression evaluated re-entrantly";
    /// An evaluation executed more instructions than `Limits::max_steps`.
    StepLimit = 22, "step limit reached";
    // --- derivatives ---
    /// A derivative that cannot be written down: a recursive expression
    /// function, or a native function without a registered derivative,
    /// at the call.
    NotDifferentiable = 23, "not differentiable";
}

impl ErrorKind {
    /// The kind's stable number (`1..=ErrorKind::ALL.len()`; never reused).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// True for the syntax errors SPEC.md names (found by the lexer and
    /// parser, plus a function name used as a value).
    pub const fn is_syntax(self) -> bool {
        matches!(
            self,
            ErrorKind::InvalidCharacter
                | ErrorKind::InvalidNumber
                | ErrorKind::ExpectedOperand
                | ErrorKind::UnexpectedToken
                | ErrorKind::UnclosedDelimiter
                | ErrorKind::ExpectedName
                | ErrorKind::NotAValue
        )
    }

    /// True for the errors that only evaluation can raise.
    pub const fn is_evaluation(self) -> bool {
        matches!(
            self,
            ErrorKind::IndexOutOfBounds
                | ErrorKind::RecursionLimit
                | ErrorKind::Callback
                | ErrorKind::ParamCount
                | ErrorKind::Reentrant
                | ErrorKind::StepLimit
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// An error: its kind and the byte span of the offending source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where: byte offsets into the source that was parsed.
    pub span: Span,
}

impl Error {
    /// An error of `kind` at `span`.
    #[inline]
    pub const fn new(kind: ErrorKind, span: Span) -> Error {
        Error { kind, span }
    }

    /// Renders the message with the source line and a caret under the span:
    ///
    /// ```text
    /// sin(x +* 2)
    ///        ^ expected an operand, found `*`
    /// ```
    ///
    /// The returned value implements `Display`; nothing is allocated.
    ///
    /// # Example
    /// ```
    /// let src = "sin(x +* 2)";
    /// let err = exp_rs::eval(src, &[("x", 1.0)]).unwrap_err();
    /// let text = format!("{}", err.render(src));
    /// assert_eq!(text, "sin(x +* 2)\n       ^ expected an operand, found `*`");
    /// ```
    pub fn render<'s>(&self, src: &'s str) -> Rendered<'s> {
        Rendered { src, error: *self }
    }

    /// Writes the one-line message, quoting the offending text from `src`
    /// (e.g. ``expected an operand, found `*` ``).
    pub fn write_message(&self, src: &str, f: &mut dyn fmt::Write) -> fmt::Result {
        let mut result = Ok(());
        self.message_to(src, &mut |s| {
            if result.is_ok() {
                result = f.write_str(s);
            }
        });
        result
    }

    /// [`write_message`](Error::write_message) as pieces of text handed to
    /// `out`, without `core::fmt`: the C and JS doors use this, so that
    /// the formatting machinery is not linked into them.
    pub fn message_to(&self, src: &str, out: &mut dyn FnMut(&str)) {
        let text = self.span.text(src);
        let quoted = |out: &mut dyn FnMut(&str)| {
            out("`");
            clip(text, out);
            out("`");
        };
        match self.kind {
            ErrorKind::ExpectedOperand | ErrorKind::UnexpectedToken | ErrorKind::ExpectedName => {
                out(match self.kind {
                    ErrorKind::ExpectedOperand => "expected an operand, found ",
                    ErrorKind::UnexpectedToken => "unexpected ",
                    _ => "expected a field name after `.`, found ",
                });
                if text.is_empty() {
                    out("end of input");
                } else {
                    quoted(out);
                }
            }
            ErrorKind::UnclosedDelimiter => {
                out("unclosed ");
                quoted(out);
            }
            ErrorKind::InvalidCharacter
            | ErrorKind::InvalidNumber
            | ErrorKind::UnknownVariable
            | ErrorKind::UnknownFunction
            | ErrorKind::UnknownField
            | ErrorKind::NotAValue
            | ErrorKind::NotAnArray
            | ErrorKind::DuplicateName
                if !text.is_empty() =>
            {
                out(self.kind.message());
                out(" ");
                quoted(out);
            }
            _ => out(self.kind.message()),
        }
    }

    /// [`render`](Error::render) as pieces of text handed to `out`, without
    /// `core::fmt` (for the C and JS doors).
    pub fn render_to(&self, src: &str, out: &mut dyn FnMut(&str)) {
        let start = (self.span.start as usize).min(src.len());
        let start = floor_char(src, start);
        // The line that holds the span's start.
        // Byte loops, not `rfind`/`split`: those link `core`'s 700 B
        // `memchr`/`memrchr` into the C library (issue 14).
        let line_start = src
            .as_bytes()
            .get(..start)
            .and_then(|s| s.iter().rposition(|&b| b == b'\n'))
            .map_or(0, |i| i + 1);
        let rest = src.get(line_start..).unwrap_or("");
        let end = rest.bytes().position(|b| b == b'\n').unwrap_or(rest.len());
        let line = rest.get(..end).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let caret = (start.max(line_start) - line_start).min(line.len());
        // A long line (a generated formula, a `TooLong` input) is cut to a
        // window around the caret, marked with `…`.
        let (from, to) = window(line, caret);
        if from > 0 {
            out("…");
        }
        out(line.get(from..to).unwrap_or(""));
        if to < line.len() {
            out("…");
        }
        out("\n");
        // One caret column per character before the span (tabs kept so the
        // caret lines up in a terminal).
        if from > 0 {
            out(" ");
        }
        for c in line.get(from..caret.max(from)).unwrap_or("").chars() {
            out(if c == '\t' { "\t" } else { " " });
        }
        out("^ ");
        self.message_to(src, out);
    }
}

/// Writes at most 40 characters of a span's text, then `…` if it was
/// longer, so a huge span (say, a `TooLong` input) does not flood a
/// message.
fn clip(text: &str, out: &mut dyn FnMut(&str)) {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => {
            out(text.get(..cut).unwrap_or(""));
            out("…");
        }
        None => out(text),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.kind.message(), self.span)
    }
}

impl core::error::Error for Error {}

/// The caret rendering of an [`Error`]; see [`Error::render`].
pub struct Rendered<'s> {
    src: &'s str,
    error: Error,
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut result = Ok(());
        self.error.render_to(self.src, &mut |s| {
            if result.is_ok() {
                result = f.write_str(s);
            }
        });
        result
    }
}

/// Characters of context the caret line keeps on each side of the caret.
const WINDOW: usize = 60;

/// Byte range of `line` to show: all of it if short, else about
/// [`WINDOW`] characters either side of byte `caret`, on char boundaries.
fn window(line: &str, caret: usize) -> (usize, usize) {
    // Characters: every byte that does not continue a UTF-8 sequence.
    let chars = line.bytes().filter(|&b| b & 0xc0 != 0x80).count();
    if chars <= 2 * WINDOW {
        return (0, line.len());
    }
    let before = line.get(..caret.min(line.len())).unwrap_or("");
    let from = before
        .char_indices()
        .rev()
        .nth(WINDOW - 1)
        .map_or(0, |(i, _)| i);
    let after = line.get(caret.min(line.len())..).unwrap_or("");
    let to = after
        .char_indices()
        .nth(WINDOW)
        .map_or(line.len(), |(i, _)| caret + i);
    (from, to)
}

/// The largest char boundary of `s` at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
