//! The C tinyexpr (built by `build.rs` from PyPI's `tinex` sdist), bound by
//! pointer as its README recommends.

use std::ffi::{CString, c_char, c_int, c_void};

#[repr(C)]
struct TeVariable {
    name: *const c_char,
    address: *const c_void,
    kind: c_int,
    context: *mut c_void,
}

#[repr(C)]
struct TeExprC {
    _private: [u8; 0],
}

unsafe extern "C" {
    fn te_compile(
        expression: *const c_char,
        variables: *const TeVariable,
        var_count: c_int,
        error: *mut c_int,
    ) -> *mut TeExprC;
    fn te_eval(n: *const TeExprC) -> f64;
    fn te_free(n: *mut TeExprC);
}

/// A compiled tinyexpr expression and the doubles its variables point at.
pub struct TeExpr {
    expr: *mut TeExprC,
    vars: Box<[f64]>,
    _names: Vec<CString>,
}

impl TeExpr {
    /// `te_compile` with one bound double per name.
    pub fn compile(src: &str, names: &[&str]) -> Result<TeExpr, String> {
        let vars = vec![0.0; names.len()].into_boxed_slice();
        let c_names: Vec<CString> = names.iter().map(|n| CString::new(*n).unwrap()).collect();
        let table: Vec<TeVariable> = c_names
            .iter()
            .zip(vars.iter())
            .map(|(n, v)| TeVariable {
                name: n.as_ptr(),
                address: (v as *const f64).cast(),
                kind: 0, // TE_VARIABLE
                context: std::ptr::null_mut(),
            })
            .collect();
        let src_c = CString::new(src).map_err(|e| e.to_string())?;
        let mut err: c_int = 0;
        // SAFETY: every pointer is valid for the call; tinyexpr keeps the
        // variable addresses, which point into `vars`, boxed and owned by
        // the returned value (so they outlive the expression).
        let expr = unsafe {
            te_compile(
                src_c.as_ptr(),
                table.as_ptr(),
                table.len() as c_int,
                &mut err,
            )
        };
        if expr.is_null() {
            return Err(format!("tinyexpr: error at {err} in `{src}`"));
        }
        Ok(TeExpr {
            expr,
            vars,
            _names: c_names,
        })
    }

    /// Sets the variables and evaluates.
    #[inline]
    pub fn eval(&mut self, vals: &[f64]) -> f64 {
        self.vars.copy_from_slice(vals);
        // SAFETY: `expr` is a live compiled expression (freed only in Drop).
        unsafe { te_eval(self.expr) }
    }
}

impl Drop for TeExpr {
    fn drop(&mut self) {
        // SAFETY: `expr` came from `te_compile` and is freed once.
        unsafe { te_free(self.expr) }
    }
}
