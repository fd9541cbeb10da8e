//! Core's [`exp_rs::inspect`] view of a compiled program as plain JS data
//! (`Expression.programView()`); only converts, core decides what is there.
//!
//! Spans become JS string indices: into the expression's source for the
//! main code and `folded`, into a function's `source` for its block.

use exp_rs::inspect::Operand;
use exp_rs::{Program, Span};
use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use crate::context::set;
use crate::error::utf16_span;

/// `{ instructions, folded, functions, stackSize, callDepth }`.
pub(crate) fn program_view(program: &Program<'_, f64>, src: &str) -> JsValue {
    let functions: Vec<_> = program.functions().collect();
    let span = |s: Span, f: Option<u32>| {
        let text = f
            .and_then(|i| functions.get(i as usize))
            .map_or(src, |f| f.source);
        let (start, end) = utf16_span(text, s);
        (JsValue::from(start), JsValue::from(end))
    };
    let instructions: Array = program
        .instructions()
        .map(|insn| {
            let obj = Object::new();
            set(&obj, "pc", insn.pc.into());
            set(&obj, "opcode", insn.opcode.into());
            let operands: Array = insn.operands().map(operand).collect();
            set(&obj, "operands", operands.into());
            let (start, end) = span(insn.span, insn.function);
            set(&obj, "start", start);
            set(&obj, "end", end);
            let function = insn.function.map_or(JsValue::NULL, JsValue::from);
            set(&obj, "function", function);
            JsValue::from(obj)
        })
        .collect();
    let folded: Array = program
        .folded()
        .iter()
        .map(|&s| {
            let (start, end) = span(s, None);
            JsValue::from(Array::of2(&start, &end))
        })
        .collect();
    let function_list: Array = functions
        .iter()
        .map(|f| {
            let obj = Object::new();
            set(&obj, "name", f.name.into());
            let params: Array = f.params.iter().map(|&p| JsValue::from(p)).collect();
            set(&obj, "params", params.into());
            set(&obj, "source", f.source.into());
            set(&obj, "entry", f.entry.into());
            JsValue::from(obj)
        })
        .collect();
    let view = Object::new();
    set(&view, "instructions", instructions.into());
    set(&view, "folded", folded.into());
    set(&view, "functions", function_list.into());
    set(&view, "stackSize", (program.stack_size() as f64).into());
    set(&view, "callDepth", (program.call_depth() as f64).into());
    view.into()
}

/// One operand: `{ kind, … }` with the fields its kind has.
fn operand(op: Operand<'_, f64>) -> JsValue {
    let obj = Object::new();
    let kind = match op {
        Operand::Acc => "acc",
        Operand::Pop => "pop",
        Operand::Const(k) => {
            set(&obj, "value", k.into());
            "const"
        }
        Operand::Param { slot, name } => {
            set(&obj, "name", name.into());
            set(&obj, "slot", slot.into());
            "param"
        }
        Operand::Arg { index, name } => {
            set(&obj, "index", index.into());
            set(&obj, "name", name.into());
            "arg"
        }
        Operand::Builtin(name) => {
            set(&obj, "name", name.into());
            "builtin"
        }
        Operand::Native { name, argc } => {
            set(&obj, "name", name.into());
            set(&obj, "argc", argc.into());
            "native"
        }
        Operand::Function { name, index, argc } => {
            set(&obj, "name", name.into());
            set(&obj, "index", index.into());
            set(&obj, "argc", argc.into());
            "function"
        }
        Operand::Array(name) => {
            set(&obj, "name", name.into());
            "array"
        }
        Operand::Target(t) => {
            set(&obj, "value", t.into());
            "target"
        }
        // A kind core adds later: named, without fields.
        _ => "other",
    };
    // `kind` first in the object's key order.
    let out = Object::new();
    set(&out, "kind", kind.into());
    JsValue::from(Object::assign(&out, &obj))
}
