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

use js_sys::{Array, Float64Array, JsString};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::error;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array_catch(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn get_catch(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn get_index_catch(target: &JsValue, index: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = hasOwn)]
    fn has_own_catch(target: &JsValue, key: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn entries_catch(target: &JsValue) -> Result<Array, JsValue>;
}

/// `Array.isArray(value)` (a revoked `Proxy` throws).
pub(crate) fn is_array(value: &JsValue) -> Result<bool, JsValue> {
    is_array_catch(value)
}

/// `value[index]`.
pub(crate) fn get_index(value: &JsValue, index: u32) -> Result<JsValue, JsValue> {
    get_index_catch(value, index)
}

/// `value[key]`, only if it is an own property.
pub(crate) fn get_own(value: &JsValue, key: &JsValue) -> Result<Option<JsValue>, JsValue> {
    if has_own_catch(value, key)? {
        get_catch(value, key).map(Some)
    } else {
        Ok(None)
    }
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
    if let Some(a) = value.dyn_ref::<Float64Array>() {
        return Ok(a.to_vec());
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
