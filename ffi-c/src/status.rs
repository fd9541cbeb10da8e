//! The one status enum of the C API and its texts.

use core::ffi::{CStr, c_char};

use exp_rs::ErrorKind;

/// What every fallible function returns. 0 is success; 1–99 are exactly
/// the numbers of the engine's error kinds (`exp_rs::ErrorKind`); 100 and
/// up are the C door's own. Numbers are stable and never reused; new ones
/// may be added, so treat unknown values as errors.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum exp_rs_status {
    /// Success.
    Ok = 0,
    /// A character that is not part of the language.
    InvalidCharacter = 1,
    /// A malformed number literal such as `1.2.3`.
    InvalidNumber = 2,
    /// An operand was required but another token or the end came.
    ExpectedOperand = 3,
    /// A token that cannot stand here.
    UnexpectedToken = 4,
    /// A `(` or `[` that is never closed.
    UnclosedDelimiter = 5,
    /// `.` not followed by a field name.
    ExpectedName = 6,
    /// Nesting deeper than the context's limit.
    TooDeep = 7,
    /// Source longer than the context's limit.
    TooLong = 8,
    /// The arena is full (it was capped, or created with a fixed size).
    ArenaFull = 9,
    /// A name that is not a parameter, constant, array or object.
    UnknownVariable = 10,
    /// A call to a function that does not exist.
    UnknownFunction = 11,
    /// A call with the wrong number of arguments.
    Arity = 12,
    /// `obj.field` where `obj` has no such field.
    UnknownField = 13,
    /// A function, array or object used as a plain value.
    NotAValue = 14,
    /// `x[i]` where `x` is not an array.
    NotAnArray = 15,
    /// A name declared twice.
    DuplicateName = 16,
    /// An array index that is negative, NaN or past the end (evaluation).
    IndexOutOfBounds = 17,
    /// Expression-function calls nested past the limit, or more calls in one
    /// evaluation than the call budget (evaluation).
    RecursionLimit = 18,
    /// A native function reported failure (evaluation).
    Callback = 19,
    /// A wrong number of parameter values.
    ParamCount = 20,
    /// A handle was used again from inside its own call (for example by a
    /// native callback during `exp_rs_batch_builder_eval`).
    Reentrant = 21,
    /// An engine error this version of the C door does not know by name.
    Error = 99,
    /// A required pointer argument was NULL.
    NullPointer = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
    /// exp-rs panicked (a bug); the call had no effect that can be relied
    /// on. Only `_free` is safe on the handles it involved.
    Panic = 102,
    /// An index (expression or parameter) that does not exist.
    BadIndex = 103,
    /// The caller's buffer is too small; for text it holds a truncated,
    /// NUL-terminated prefix and the required size is reported.
    BufferTooSmall = 104,
    /// The arena cannot be reset: a batch builder still uses it.
    ArenaInUse = 105,
    /// The context cannot be changed: a batch builder is bound to it.
    ContextInUse = 106,
    /// `exp_rs_batch_builder_eval`/`_bind` got a different context from the
    /// one the builder is bound to.
    ContextMismatch = 107,
    /// No such name.
    NotFound = 108,
    /// The builder has no context yet (created by
    /// `exp_rs_batch_builder_new_with_arena` and never evaluated or bound),
    /// so its parameters are not known yet.
    NotBound = 109,
    /// A name that is not an identifier (`[A-Za-z_][A-Za-z0-9_]*`).
    InvalidName = 110,
    /// A size or count that cannot be honoured (too large, or a buffer
    /// pointer that is NULL with a non-zero length).
    InvalidArgument = 111,
}

impl exp_rs_status {
    /// The status for an engine error kind: the same number.
    pub fn from_kind(kind: ErrorKind) -> exp_rs_status {
        use exp_rs_status as S;
        match kind {
            ErrorKind::InvalidCharacter => S::InvalidCharacter,
            ErrorKind::InvalidNumber => S::InvalidNumber,
            ErrorKind::ExpectedOperand => S::ExpectedOperand,
            ErrorKind::UnexpectedToken => S::UnexpectedToken,
            ErrorKind::UnclosedDelimiter => S::UnclosedDelimiter,
            ErrorKind::ExpectedName => S::ExpectedName,
            ErrorKind::TooDeep => S::TooDeep,
            ErrorKind::TooLong => S::TooLong,
            ErrorKind::ArenaFull => S::ArenaFull,
            ErrorKind::UnknownVariable => S::UnknownVariable,
            ErrorKind::UnknownFunction => S::UnknownFunction,
            ErrorKind::Arity => S::Arity,
            ErrorKind::UnknownField => S::UnknownField,
            ErrorKind::NotAValue => S::NotAValue,
            ErrorKind::NotAnArray => S::NotAnArray,
            ErrorKind::DuplicateName => S::DuplicateName,
            ErrorKind::IndexOutOfBounds => S::IndexOutOfBounds,
            ErrorKind::RecursionLimit => S::RecursionLimit,
            ErrorKind::Callback => S::Callback,
            ErrorKind::ParamCount => S::ParamCount,
            ErrorKind::Reentrant => S::Reentrant,
            _ => S::Error,
        }
    }

    /// Every status, for lookups by number.
    pub(crate) const ALL: [exp_rs_status; 35] = {
        use exp_rs_status as S;
        [
            S::Ok,
            S::InvalidCharacter,
            S::InvalidNumber,
            S::ExpectedOperand,
            S::UnexpectedToken,
            S::UnclosedDelimiter,
            S::ExpectedName,
            S::TooDeep,
            S::TooLong,
            S::ArenaFull,
            S::UnknownVariable,
            S::UnknownFunction,
            S::Arity,
            S::UnknownField,
            S::NotAValue,
            S::NotAnArray,
            S::DuplicateName,
            S::IndexOutOfBounds,
            S::RecursionLimit,
            S::Callback,
            S::ParamCount,
            S::Reentrant,
            S::Error,
            S::NullPointer,
            S::InvalidUtf8,
            S::Panic,
            S::BadIndex,
            S::BufferTooSmall,
            S::ArenaInUse,
            S::ContextInUse,
            S::ContextMismatch,
            S::NotFound,
            S::NotBound,
            S::InvalidName,
            S::InvalidArgument,
        ]
    };

    /// The status with this number, if there is one.
    pub fn from_code(code: i32) -> Option<exp_rs_status> {
        Self::ALL.iter().copied().find(|s| *s as i32 == code)
    }

    /// The engine error kind with this status's number, if it is one.
    pub fn kind(self) -> Option<ErrorKind> {
        ErrorKind::ALL
            .iter()
            .copied()
            .find(|k| *k as u8 as i32 == self as i32)
    }

    /// The human message, NUL-terminated.
    pub fn message(self) -> &'static CStr {
        use exp_rs_status as S;
        match self {
            S::Ok => c"success",
            S::InvalidCharacter => c"invalid character",
            S::InvalidNumber => c"invalid number literal",
            S::ExpectedOperand => c"expected an operand",
            S::UnexpectedToken => c"unexpected token",
            S::UnclosedDelimiter => c"unclosed delimiter",
            S::ExpectedName => c"expected a field name after `.`",
            S::TooDeep => c"expression nested too deeply",
            S::TooLong => c"expression too long",
            S::ArenaFull => c"arena is full",
            S::UnknownVariable => c"unknown variable",
            S::UnknownFunction => c"unknown function",
            S::Arity => c"wrong number of arguments",
            S::UnknownField => c"unknown field",
            S::NotAValue => c"not a value",
            S::NotAnArray => c"not an array",
            S::DuplicateName => c"name declared twice",
            S::IndexOutOfBounds => c"index out of bounds",
            S::RecursionLimit => c"recursion limit reached",
            S::Callback => c"native function failed",
            S::ParamCount => c"wrong number of parameter values",
            S::Reentrant => c"expression evaluated re-entrantly",
            S::Error => c"engine error",
            S::NullPointer => c"a required pointer argument is NULL",
            S::InvalidUtf8 => c"string is not valid UTF-8",
            S::Panic => c"internal error (panic) in exp-rs",
            S::BadIndex => c"no such index",
            S::BufferTooSmall => c"buffer too small",
            S::ArenaInUse => c"arena is in use by a batch builder",
            S::ContextInUse => c"context is in use by a batch builder",
            S::ContextMismatch => c"batch builder is bound to another context",
            S::NotFound => c"no such name",
            S::NotBound => c"batch builder has no context yet",
            S::InvalidName => c"not an identifier",
            S::InvalidArgument => c"invalid argument",
        }
    }

    /// The enumerator's name without its prefix (`"ARENA_FULL"`).
    pub fn name(self) -> &'static CStr {
        use exp_rs_status as S;
        match self {
            S::Ok => c"OK",
            S::InvalidCharacter => c"INVALID_CHARACTER",
            S::InvalidNumber => c"INVALID_NUMBER",
            S::ExpectedOperand => c"EXPECTED_OPERAND",
            S::UnexpectedToken => c"UNEXPECTED_TOKEN",
            S::UnclosedDelimiter => c"UNCLOSED_DELIMITER",
            S::ExpectedName => c"EXPECTED_NAME",
            S::TooDeep => c"TOO_DEEP",
            S::TooLong => c"TOO_LONG",
            S::ArenaFull => c"ARENA_FULL",
            S::UnknownVariable => c"UNKNOWN_VARIABLE",
            S::UnknownFunction => c"UNKNOWN_FUNCTION",
            S::Arity => c"ARITY",
            S::UnknownField => c"UNKNOWN_FIELD",
            S::NotAValue => c"NOT_A_VALUE",
            S::NotAnArray => c"NOT_AN_ARRAY",
            S::DuplicateName => c"DUPLICATE_NAME",
            S::IndexOutOfBounds => c"INDEX_OUT_OF_BOUNDS",
            S::RecursionLimit => c"RECURSION_LIMIT",
            S::Callback => c"CALLBACK",
            S::ParamCount => c"PARAM_COUNT",
            S::Reentrant => c"REENTRANT",
            S::Error => c"ERROR",
            S::NullPointer => c"NULL_POINTER",
            S::InvalidUtf8 => c"INVALID_UTF8",
            S::Panic => c"PANIC",
            S::BadIndex => c"BAD_INDEX",
            S::BufferTooSmall => c"BUFFER_TOO_SMALL",
            S::ArenaInUse => c"ARENA_IN_USE",
            S::ContextInUse => c"CONTEXT_IN_USE",
            S::ContextMismatch => c"CONTEXT_MISMATCH",
            S::NotFound => c"NOT_FOUND",
            S::NotBound => c"NOT_BOUND",
            S::InvalidName => c"INVALID_NAME",
            S::InvalidArgument => c"INVALID_ARGUMENT",
        }
    }
}

impl From<exp_rs::Error> for exp_rs_status {
    fn from(e: exp_rs::Error) -> exp_rs_status {
        exp_rs_status::from_kind(e.kind)
    }
}

/// The human message for a status number (for example `"arena is full"`
/// for `EXP_RS_STATUS_ARENA_FULL`). Takes an `int` so that any number is
/// safe to pass; an unknown number gives `"unknown status"`. Returns a
/// static NUL-terminated string: never NULL, never free it. No allocation.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_status_message(status: i32) -> *const c_char {
    match exp_rs_status::from_code(status) {
        Some(s) => s.message().as_ptr(),
        None => c"unknown status".as_ptr(),
    }
}

/// The enumerator name of a status number without its `EXP_RS_STATUS_`
/// prefix (`"ARENA_FULL"`); `"UNKNOWN"` for a number that is not a status.
/// Static, never NULL, never free it.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_status_name(status: i32) -> *const c_char {
    match exp_rs_status::from_code(status) {
        Some(s) => s.name().as_ptr(),
        None => c"UNKNOWN".as_ptr(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_their_numbers() {
        for kind in ErrorKind::ALL {
            let s = exp_rs_status::from_kind(kind);
            assert_eq!(s as i32, kind as u8 as i32);
            assert_eq!(s.kind(), Some(kind));
            assert_eq!(s.message().to_str().ok(), Some(kind.message()));
        }
    }

    #[test]
    fn every_status_round_trips() {
        for s in exp_rs_status::ALL {
            assert_eq!(exp_rs_status::from_code(s as i32), Some(s));
        }
        assert_eq!(exp_rs_status::from_code(-1), None);
        assert_eq!(exp_rs_status::from_code(22), None);
    }
}
