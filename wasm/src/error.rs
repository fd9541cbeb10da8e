//! Core errors to `ExpRsError` (a JS class in `js/glue.js`), and byte
//! offsets to JS string indices.

use std::cell::RefCell;

use exp_rs::{Error, ErrorKind, Span};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(
        kind: &str,
        code: u32,
        start: u32,
        end: u32,
        message: &str,
        cause: JsValue,
    ) -> JsValue;
}

thread_local! {
    /// What the last failing native JS function threw (or a `TypeError` when
    /// it returned a non-number), attached as `cause` to the `Callback`
    /// error that evaluation then reports.
    static CALLBACK_CAUSE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Records why a native function failed; see [`CALLBACK_CAUSE`].
pub(crate) fn set_callback_cause(cause: JsValue) {
    CALLBACK_CAUSE.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            *c = Some(cause);
        }
    });
}

fn take_callback_cause() -> JsValue {
    CALLBACK_CAUSE
        .with(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take()))
        .unwrap_or(JsValue::UNDEFINED)
}

/// The stable number of a kind (1 = `InvalidCharacter` … as in core).
fn code(kind: ErrorKind) -> u32 {
    u32::from(kind.code())
}

/// An `ExpRsError` for `err`, whose span points into `src`. The message is
/// core's caret rendering; `start`/`end` are JS string indices (UTF-16 code
/// units, equal to byte offsets for ASCII source).
pub(crate) fn to_js(err: Error, src: &str) -> JsValue {
    let message = err.render(src).to_string();
    let (start, end) = utf16_span(src, err.span);
    let cause = if err.kind == ErrorKind::Callback {
        take_callback_cause()
    } else {
        JsValue::UNDEFINED
    };
    make_error(err.kind.name(), code(err.kind), start, end, &message, cause)
}

/// An `ExpRsError` that is about the JS call rather than a place in the
/// source (span 0..0), with its own message.
pub(crate) fn plain(kind: ErrorKind, message: &str) -> JsValue {
    make_error(kind.name(), code(kind), 0, 0, message, JsValue::UNDEFINED)
}

/// A `TooLong` `ExpRsError` for a source of `units` UTF-16 units refused
/// before conversion (see `js::source`); the span is `[max_len, units)`.
pub(crate) fn too_long(units: u32, max_len: u32) -> JsValue {
    let kind = ErrorKind::TooLong;
    let message = format!(
        "{}: {units} characters, the limit is {max_len} bytes",
        kind.message()
    );
    make_error(
        kind.name(),
        code(kind),
        max_len,
        units,
        &message,
        JsValue::UNDEFINED,
    )
}

/// A JS `TypeError`, for arguments of the wrong JS type.
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// A JS `RangeError`, for arguments of the wrong length.
pub(crate) fn range_error(message: &str) -> JsValue {
    js_sys::RangeError::new(message).into()
}

/// `span` (byte offsets into `src`) as UTF-16 offsets.
pub(crate) fn utf16_span(src: &str, span: Span) -> (u32, u32) {
    (
        utf16_offset(src, span.start as usize),
        utf16_offset(src, span.end as usize),
    )
}

/// The UTF-16 offset of byte offset `byte` of `src` (clamped to the end; a
/// byte inside a character counts from that character's start).
pub(crate) fn utf16_offset(src: &str, byte: usize) -> u32 {
    let byte = byte.min(src.len());
    if src.is_ascii() {
        return byte as u32;
    }
    src.char_indices()
        .take_while(|&(i, _)| i < byte)
        .map(|(_, c)| c.len_utf16() as u32)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets() {
        assert_eq!(utf16_offset("abc", 2), 2);
        assert_eq!(utf16_offset("abc", 99), 3);
        // `é` is 2 bytes, 1 unit; `𝑥` is 4 bytes, 2 units.
        let s = "é+𝑥+1";
        assert_eq!(utf16_offset(s, 2), 1);
        assert_eq!(utf16_offset(s, 3), 2);
        assert_eq!(utf16_offset(s, 7), 4);
        assert_eq!(utf16_offset(s, s.len()), 6);
    }

    #[test]
    fn codes_follow_core() {
        assert_eq!(code(ErrorKind::InvalidCharacter), 1);
        assert_eq!(code(ErrorKind::Reentrant), 21);
        assert_eq!(code(ErrorKind::StepLimit), 22);
    }
}
