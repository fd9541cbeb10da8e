//! Error details: the `exp_rs_error` value and the per-handle last error.

use alloc::string::String;
use core::ffi::c_char;

use exp_rs::fallible::try_push_str;
use exp_rs::{Error, Span};

use crate::guard::boundary;
use crate::status::exp_rs_status;
use crate::text::{BufWriter, c_str, write_text};

/// The details of an error: its status, the byte span of the offending
/// source text (`span_start..span_end`, end exclusive; both 0 when there is
/// no source position) and, for batch builders, the index of the
/// expression it belongs to (`SIZE_MAX` when none).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct exp_rs_error {
    /// What went wrong, an `exp_rs_status` number (`EXP_RS_STATUS_OK`
    /// when there is no error). An `int32_t`, not the enum, so the struct's
    /// layout does not depend on the compiler's enum size (`-fshort-enums`).
    pub status: i32,
    /// First byte of the offending text.
    pub span_start: u32,
    /// One past its last byte.
    pub span_end: u32,
    /// The expression's index in its batch builder, or `SIZE_MAX`.
    pub expression: usize,
}

impl exp_rs_error {
    /// No error.
    pub(crate) const NONE: exp_rs_error = exp_rs_error {
        status: exp_rs_status::Ok as i32,
        span_start: 0,
        span_end: 0,
        expression: usize::MAX,
    };
}

/// Where the source text of the last error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// Nowhere (a C-door status, or the copy failed).
    None,
    /// In `LastError::text`.
    Text,
    /// The source of this expression of the batch.
    Expr(usize),
}

/// The last failure of a handle. Recording it allocates only when a source
/// text must be copied (failures while setting up); the buffer is kept and
/// reused, so a failing evaluation neither allocates nor frees.
pub(crate) struct LastError {
    pub(crate) error: exp_rs_error,
    pub(crate) source: Source,
    text: String,
}

impl LastError {
    pub(crate) const fn new() -> LastError {
        LastError {
            error: exp_rs_error::NONE,
            source: Source::None,
            text: String::new(),
        }
    }

    /// Records a C-door status (no span, no source).
    pub(crate) fn status(&mut self, status: exp_rs_status) {
        self.error = exp_rs_error {
            status: status as i32,
            ..exp_rs_error::NONE
        };
        self.source = Source::None;
    }

    /// Records an engine error with a copy of its source text.
    pub(crate) fn with_text(&mut self, e: Error, expression: usize, src: &str) {
        self.error = from_core(e, expression);
        self.text.clear();
        self.source = match try_push_str(&mut self.text, src) {
            Ok(()) => Source::Text,
            Err(_) => Source::None,
        };
    }

    /// Records an engine error whose source is expression `index` of a batch.
    pub(crate) fn in_expression(&mut self, e: Error, index: usize) {
        self.error = from_core(e, index);
        self.source = Source::Expr(index);
    }

    /// The copied source text, if that is where the source is.
    pub(crate) fn text(&self) -> Option<&str> {
        (self.source == Source::Text).then_some(self.text.as_str())
    }
}

/// An `exp_rs_error` from an engine error.
pub(crate) fn from_core(e: Error, expression: usize) -> exp_rs_error {
    exp_rs_error {
        status: exp_rs_status::from(e) as i32,
        span_start: e.span.start,
        span_end: e.span.end,
        expression,
    }
}

/// Writes the message of `err`: with a source, the caret rendering of
/// SPEC.md (source line, then a caret line); without, the status message.
/// Piece by piece, without `core::fmt` (which would add kilobytes to a
/// firmware).
pub(crate) fn render(err: &exp_rs_error, src: Option<&str>, w: &mut BufWriter<'_>) {
    let status = exp_rs_status::from_code(err.status).unwrap_or(exp_rs_status::Error);
    let message = status.message().to_str().unwrap_or("error");
    match (status.kind(), src) {
        (Some(kind), Some(src)) => {
            let e = Error::new(kind, Span::new(err.span_start, err.span_end));
            e.render_to(src, &mut |s| w.push_str(s));
        }
        _ => w.push_str(message),
    }
}

/// Renders an error against the source it came from into `buf`: the
/// source line, a newline, then a caret under the offending text and the
/// message, e.g. `"sin(x +* 2)\n       ^ expected an operand, found `*`"`.
/// Useful after `exp_rs_eval_ex`, whose error carries a span into `src`.
///
/// `buf` receives at most `len` bytes, always NUL-terminated when `len > 0`
/// and cut on a UTF-8 character boundary; `needed` (may be NULL) receives
/// the size including the NUL, also when the buffer was too small. `buf` may
/// be NULL only when `len` is 0 (a size query). `src` and `error` must not
/// be NULL; an error without an engine kind renders as its status message.
/// Returns `EXP_RS_STATUS_BUFFER_TOO_SMALL` when the text was cut.
/// Allocates nothing.
///
/// # Safety
/// `src` is a NUL-terminated string, `error` points to an `exp_rs_error`,
/// `buf` is NULL or writable for `len` bytes, `needed` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn exp_rs_error_render(
    src: *const c_char,
    error: *const exp_rs_error,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> exp_rs_status {
    boundary(exp_rs_status::Panic, || {
        // SAFETY: the caller promises a NUL-terminated string or NULL.
        let src = match unsafe { c_str(src) } {
            Ok(s) => s,
            Err(e) => return e,
        };
        if error.is_null() {
            return exp_rs_status::NullPointer;
        }
        // SAFETY: non-NULL; the caller promises a valid exp_rs_error (plain
        // integers only, so any bit pattern is a valid value).
        let err = unsafe { error.read() };
        if exp_rs_status::from_code(err.status).is_none() {
            return exp_rs_status::InvalidArgument;
        }
        // SAFETY: the caller's promise about buf, len and needed.
        unsafe { write_text(buf, len, needed, |w| render(&err, Some(src), w)) }
    })
}
