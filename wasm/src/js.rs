//! Reading JS arguments without ever trapping or unwinding through Rust.
//!
//! wasm-bindgen's own conversions trust the TypeScript types: a number
//! passed where a `&str` is declared makes its glue read memory out of
//! bounds (a trap). So every string, list and array argument arrives as a
//! `JsValue` and is converted here, with a `TypeError` for the wrong type.
//!
//! Reading a property can run user code (a getter, a `Proxy` trap) that
//! throws. The operations that may do so are imported with `catch`, so a
//! throw comes back as an `Err` and Rust returns normally (a JS exception
//! unwinding through Rust frames would skip destructors and leave, e.g., a
//! `RefCell` borrowed forever).

use js_sys::{Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::error;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = f64Length)]
    fn f64_length_catch(value: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(js_name = setMemory)]
    fn set_memory(memory: &JsValue);
    #[wasm_bindgen(catch, js_name = f64CopyIn)]
    fn f64_copy_in(ptr: u32, src: &JsValue, start: u32, len: u32) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = readRow)]
    fn read_row_catch(
        ptr: u32,
        n: u32,
        values: &JsValue,
        keys: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = f64CopyOut)]
    fn f64_copy_out(ptr: u32, dst: &JsValue, start: u32, len: u32) -> Result<(), JsValue>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array_catch(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn get_catch(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn get_index_catch(target: &JsValue, index: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn entries_catch(target: &JsValue) -> Result<Array, JsValue>;
}

thread_local! {
    static MEMORY_SET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Hands the module's memory to `js/glue.js` (once), which the copies below
/// write into. Called by every entry point that creates something, so it
/// has run before any copy.
pub(crate) fn register_memory() {
    if !MEMORY_SET.with(|m| m.replace(true)) {
        set_memory(&wasm_bindgen::memory());
    }
}

/// The length of `value` if it is a `Float64Array` (0 once detached);
/// `None` for anything else, proxies included. Runs no user code, unlike
/// js-sys's `length()`, which a subclass can make lie (and js-sys's
/// `copy_to` then panics, which traps).
pub(crate) fn f64_length(value: &JsValue) -> Result<Option<u32>, JsValue> {
    let len = f64_length_catch(value)?;
    Ok((len >= 0.0).then_some(len as u32))
}

/// Copies `dst.len()` values of the `Float64Array` `src`, from index
/// `start`, into `dst` (an error if `src` is too short or detached).
pub(crate) fn copy_in(src: &JsValue, start: u32, dst: &mut [f64]) -> Result<(), JsValue> {
    // Like an FFI call filling a buffer it is handed: the JS side writes
    // exactly `dst.len()` values at `dst`'s address in wasm memory.
    let ptr = dst.as_mut_ptr() as usize as u32;
    f64_copy_in(ptr, src, start, dst.len() as u32)
}

/// What was wrong with `Expression.eval`'s argument.
pub(crate) enum RowProblem {
    /// This many values instead of one per parameter.
    Count(i64),
    /// Item (or parameter) `i` is not a number.
    NotANumber(usize),
    /// No own property for parameter `i`.
    Missing(usize),
    /// Not an array, typed array or object.
    Type,
}

/// Reads `Expression.eval`'s argument into `row` with one call into JS: a
/// `Float64Array`, an array of numbers, or an object with an own number
/// property for each of `keys` (a JS array of the parameter names).
pub(crate) fn read_row(
    row: &mut [f64],
    values: &JsValue,
    keys: &JsValue,
) -> Result<Option<RowProblem>, JsValue> {
    // Like an FFI call filling a buffer it is handed (see `copy_in`).
    let ptr = row.as_mut_ptr() as usize as u32;
    let problem = read_row_catch(ptr, row.len() as u32, values, keys)?;
    if problem.is_undefined() {
        return Ok(None);
    }
    // Our own `[problem, at]` array: reading it runs no user code.
    let problem: Array = problem.unchecked_into();
    let at = problem.get(1).as_f64().unwrap_or(-1.0);
    Ok(Some(match problem.get(0).as_f64() {
        Some(0.0) => RowProblem::Count(at as i64),
        Some(1.0) => RowProblem::NotANumber(at as usize),
        Some(2.0) => RowProblem::Missing(at as usize),
        _ => RowProblem::Type,
    }))
}

/// Copies `src` into the `Float64Array` `dst` from index `start` (an error
/// if `dst` is too short or detached).
pub(crate) fn copy_out(src: &[f64], dst: &JsValue, start: u32) -> Result<(), JsValue> {
    let ptr = src.as_ptr() as usize as u32;
    f64_copy_out(ptr, dst, start, src.len() as u32)
}

/// `Array.isArray(value)` (a revoked `Proxy` throws).
pub(crate) fn is_array(value: &JsValue) -> Result<bool, JsValue> {
    is_array_catch(value)
}

/// `value[index]`.
pub(crate) fn get_index(value: &JsValue, index: u32) -> Result<JsValue, JsValue> {
    get_index_catch(value, index)
}

/// The `length` of an array-like, as an index count.
pub(crate) fn length(value: &JsValue) -> Result<u32, JsValue> {
    let len = get_catch(value, &JsValue::from_str("length"))?
        .as_f64()
        .unwrap_or(0.0);
    Ok(if len >= 0.0 && len <= f64::from(u32::MAX) {
        len as u32
    } else {
        0
    })
}

/// A string argument.
pub(crate) fn string(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| error::type_error(&format!("{what} must be a string")))
}

/// An expression's source. A string longer than `max_len` UTF-16 units is
/// refused as `TooLong` before it is copied into wasm memory (each unit is
/// at least one UTF-8 byte, so core would refuse it too): a huge string
/// costs neither a copy nor a message quoting it.
pub(crate) fn source(value: &JsValue, what: &str, max_len: u32) -> Result<String, JsValue> {
    let units = value
        .dyn_ref::<JsString>()
        .ok_or_else(|| error::type_error(&format!("{what} must be a string")))?
        .length();
    if units > max_len {
        return Err(error::too_long(units, max_len));
    }
    string(value, what)
}

/// An optional list of strings (`undefined`/`null`: none).
pub(crate) fn strings(value: &JsValue, what: &str) -> Result<Option<Vec<String>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !is_array(value)? {
        return Err(error::type_error(&format!(
            "{what} must be an array of strings"
        )));
    }
    (0..length(value)?)
        .map(|i| string(&get_index(value, i)?, what))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// A list of numbers: a `Float64Array` or an array of numbers.
pub(crate) fn numbers(value: &JsValue, what: &str) -> Result<Vec<f64>, JsValue> {
    if let Some(len) = f64_length(value)? {
        let mut values = vec![0.0; len as usize];
        copy_in(value, 0, &mut values)?;
        return Ok(values);
    }
    if !is_array(value)? {
        return Err(error::type_error(&format!(
            "{what} must be an array of numbers or a Float64Array"
        )));
    }
    (0..length(value)?)
        .map(|i| {
            get_index(value, i)?
                .as_f64()
                .ok_or_else(|| error::type_error(&format!("{what}: item {i} is not a number")))
        })
        .collect()
}

/// The own enumerable properties of a plain object, as `Object.entries`
/// lists them (`undefined`/`null`: none).
pub(crate) fn entries(value: &JsValue, what: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !value.is_object() || is_array(value)? {
        return Err(error::type_error(&format!(
            "{what}: expected an object of numbers"
        )));
    }
    // `Object.entries` returns fresh arrays of fresh pairs: reading them
    // runs no user code.
    Ok(entries_catch(value)?
        .iter()
        .map(|entry| {
            let entry: Array = entry.unchecked_into();
            (entry.get(0).as_string().unwrap_or_default(), entry.get(1))
        })
        .collect())
}

/// The own enumerable properties of a plain object, each a number.
pub(crate) fn number_entries(value: &JsValue, what: &str) -> Result<Vec<(String, f64)>, JsValue> {
    entries(value, what)?
        .into_iter()
        .map(|(key, v)| match v.as_f64() {
            Some(x) => Ok((key, x)),
            None => Err(error::type_error(&format!(
                "{what}: `{key}` is not a number"
            ))),
        })
        .collect()
}

/// A name to bind (`setConstant`, `addFunction`, …): a string that is an
/// identifier of the language, so an expression can use it.
pub(crate) fn name(value: &JsValue, what: &str) -> Result<String, JsValue> {
    let name = string(value, &format!("{what}: name"))?;
    check_name(&name, what)?;
    Ok(name)
}

/// `ExpectedName` unless `name` is an identifier of the language (a
/// declared parameter or a bound name that no expression could use).
pub(crate) fn check_name(name: &str, what: &str) -> Result<(), JsValue> {
    if exp_rs::is_identifier(name) {
        return Ok(());
    }
    Err(error::plain(
        exp_rs::ErrorKind::ExpectedName,
        &format!("{what}: `{name}` is not a name"),
    ))
}
