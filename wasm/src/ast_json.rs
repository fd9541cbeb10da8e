//! Core's [`Ast`] as JSON text, which JS turns into plain objects with one
//! `JSON.parse` (one string across the boundary instead of a call per
//! field).
//!
//! Node shapes (spans are `[start, end]` JS string indices):
//!
//! | kind | fields |
//! |---|---|
//! | `number` | `value` (the literal's value), `text` (as written) |
//! | `name` | `name` |
//! | `unary` | `op` (`-`, `+`, `!`), one child |
//! | `binary` | `op` (`+` … `^`, `,`), two children |
//! | `conditional` | three children: condition, then, else |
//! | `call` | `name`, `nameSpan`, the arguments as children |
//! | `index` | `name`, `nameSpan`, the index as the child |
//! | `field` | `name` (the object), `field`, `nameSpan`, `fieldSpan` |

use std::fmt::Write;

use exp_rs::{Ast, AstKind, Children, Real, Span};

use crate::error::utf16_offset;

/// The tree rooted at `ast` as JSON; `src` is the source its spans index.
/// Iterative, so no nesting depth can overflow the stack.
pub(crate) fn ast_json(ast: &Ast<'_>, src: &str) -> String {
    let spans = Spans::new(src);
    let mut out = String::new();
    open(&mut out, ast, &spans);
    // Each entry: the children still to write, and whether one was written.
    let mut stack: Vec<(Children<'_>, bool)> = vec![(ast.children(), false)];
    while let Some((children, any)) = stack.last_mut() {
        match children.next() {
            Some(child) => {
                if *any {
                    out.push(',');
                }
                *any = true;
                open(&mut out, child, &spans);
                stack.push((child.children(), false));
            }
            None => {
                out.push_str("]}");
                stack.pop();
            }
        }
    }
    out
}

/// Writes a node's fields up to and including `"children":[`.
fn open(out: &mut String, node: &Ast<'_>, spans: &Spans<'_>) {
    let kind = match node.kind {
        AstKind::Number(_) => "number",
        AstKind::Name(_) => "name",
        AstKind::Unary(..) => "unary",
        AstKind::Binary(..) => "binary",
        AstKind::Conditional(..) => "conditional",
        AstKind::Call { .. } => "call",
        AstKind::Index { .. } => "index",
        AstKind::Field { .. } => "field",
    };
    out.push_str("{\"kind\":\"");
    out.push_str(kind);
    out.push('"');
    match node.kind {
        AstKind::Number(text) => {
            let value = <f64 as Real>::parse_literal(text).unwrap_or(f64::NAN);
            out.push_str(",\"value\":");
            if value.is_finite() {
                // `decimal`, not `{:?}`: the float formatter it spares
                // is about 17 KB of the module.
                let _ = write!(out, "{}", exp_rs::decimal::Shortest(value));
            } else if value.is_nan() {
                out.push_str("null");
            } else {
                // JSON has no infinity; `JSON.parse` reads 1e999 as one.
                out.push_str(if value > 0.0 { "1e999" } else { "-1e999" });
            }
            string(out, "text", text);
        }
        AstKind::Name(name) => string(out, "name", name),
        AstKind::Unary(op, _) => string(out, "op", op.symbol()),
        AstKind::Binary(op, _, _) => string(out, "op", op.symbol()),
        AstKind::Conditional(..) => {}
        AstKind::Call {
            name, name_span, ..
        }
        | AstKind::Index {
            name, name_span, ..
        } => {
            string(out, "name", name);
            span(out, "nameSpan", name_span, spans);
        }
        AstKind::Field {
            object,
            object_span,
            field,
            field_span,
        } => {
            string(out, "name", object);
            string(out, "field", field);
            span(out, "nameSpan", object_span, spans);
            span(out, "fieldSpan", field_span, spans);
        }
    }
    span(out, "span", node.span, spans);
    out.push_str(",\"children\":[");
}

/// Writes `,"key":"value"` with JSON escaping.
fn string(out: &mut String, key: &str, value: &str) {
    out.push_str(",\"");
    out.push_str(key);
    out.push_str("\":\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `,"key":[start,end]`.
fn span(out: &mut String, key: &str, span: Span, spans: &Spans<'_>) {
    let _ = write!(
        out,
        ",\"{key}\":[{},{}]",
        spans.at(span.start),
        spans.at(span.end)
    );
}

/// Byte offsets to UTF-16 offsets, with a table when the source is not
/// ASCII.
struct Spans<'s> {
    src: &'s str,
    table: Option<Vec<u32>>,
}

impl<'s> Spans<'s> {
    fn new(src: &'s str) -> Spans<'s> {
        let table = (!src.is_ascii()).then(|| {
            let mut table = vec![0; src.len() + 1];
            let mut units = 0;
            for (i, c) in src.char_indices() {
                let next = units + c.len_utf16() as u32;
                // Bytes inside a character map to its start.
                for slot in table.iter_mut().skip(i).take(c.len_utf8()) {
                    *slot = units;
                }
                units = next;
            }
            if let Some(last) = table.last_mut() {
                *last = units;
            }
            table
        });
        Spans { src, table }
    }

    fn at(&self, byte: u32) -> u32 {
        match &self.table {
            Some(t) => t
                .get(byte as usize)
                .or(t.last())
                .copied()
                .unwrap_or_default(),
            None => utf16_offset(self.src, byte as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exp_rs::bumpalo::Bump;

    fn json(src: &str) -> String {
        let arena = Bump::new();
        let ast = exp_rs::parse_expression_arena(src, &arena).map_err(|e| e.kind);
        ast_json(ast.expect("parses"), src)
    }

    #[test]
    fn shapes() {
        assert_eq!(
            json("-x + 1e3"),
            concat!(
                r#"{"kind":"binary","op":"+","span":[0,8],"children":["#,
                r#"{"kind":"unary","op":"-","span":[0,2],"children":["#,
                r#"{"kind":"name","name":"x","span":[1,2],"children":[]}]},"#,
                r#"{"kind":"number","value":1e3,"text":"1e3","span":[5,8],"children":[]}]}"#
            )
        );
        assert!(json("f(a, 2)").starts_with(r#"{"kind":"call","name":"f","nameSpan":[0,1]"#));
        assert!(json("p.x").contains(r#""field":"x","nameSpan":[0,1],"fieldSpan":[2,3]"#));
        assert!(json("1e999").contains(r#""value":1e999"#));
    }

    #[test]
    fn utf16_spans() {
        // `é` is two bytes and one UTF-16 unit.
        let spans = Spans::new("é+x");
        assert_eq!(
            (spans.at(0), spans.at(2), spans.at(3), spans.at(4)),
            (0, 1, 2, 3)
        );
    }
}
