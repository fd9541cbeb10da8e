//! One compiled expression per library, behind one enum so the bench loop
//! dispatches with a predictable branch instead of a virtual call.

use std::hint::black_box;

use evalexpr::{ContextWithMutableVariables, HashMapContext};
use exmex::Express;
use fasteval::{Compiler, Evaler};

use crate::cases::{Case, Lib};

/// meval's bound closure.
type MevalFn = Box<dyn Fn(&[f64]) -> f64>;

/// A compiled expression of one library, with its variable storage. (The
/// variants differ in size; there are a handful of them per run.)
#[allow(clippy::large_enum_variant)]
pub enum Compiled {
    ExpRs(exp_rs::Expr<'static, f64>),
    Native(fn(&[f64]) -> f64),
    #[cfg(has_tinyexpr)]
    Tinyexpr(crate::tinyexpr::TeExpr),
    Fasteval(Box<FastevalExpr>),
    Exmex(exmex::FlatEx<f64>, Vec<usize>),
    Meval(MevalFn),
    Evalexpr(evalexpr::Node, HashMapContext, Vec<String>),
}

/// fasteval with "unsafe variables": the compiled expression reads the
/// values through pointers into `vars`, fasteval's fastest binding.
pub struct FastevalExpr {
    slab: fasteval::Slab,
    compiled: fasteval::Instruction,
    vars: Box<[f64]>,
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

/// Parses and compiles `case` with `lib`; `None` if `lib` is not built
/// (tinyexpr without its sources) or fails on it.
pub fn compile(lib: Lib, case: &Case) -> Result<Compiled, String> {
    let src = case.source_for(lib);
    Ok(match lib {
        Lib::ExpRs => {
            let ctx = leak(exp_rs::Context::<f64>::new());
            let arena = leak(exp_rs::bumpalo::Bump::new());
            let e = exp_rs::Expr::compile(src, case.vars, ctx, arena).map_err(|e| e.to_string())?;
            Compiled::ExpRs(e)
        }
        Lib::Native => Compiled::Native(case.native),
        #[cfg(has_tinyexpr)]
        Lib::Tinyexpr => Compiled::Tinyexpr(crate::tinyexpr::TeExpr::compile(src, case.vars)?),
        #[cfg(not(has_tinyexpr))]
        Lib::Tinyexpr => return Err(crate::TINYEXPR_NOTE.to_string()),
        Lib::Fasteval => {
            let parser = fasteval::Parser::new();
            let mut slab = fasteval::Slab::new();
            let vars = vec![0.0; case.vars.len()].into_boxed_slice();
            for (i, name) in case.vars.iter().enumerate() {
                // SAFETY: `vars` is boxed and moves into the same struct as
                // `slab`, so the pointer stays valid as long as the slab.
                unsafe { slab.ps.add_unsafe_var((*name).to_string(), &vars[i]) };
            }
            let parsed = parser.parse(src, &mut slab.ps).map_err(|e| e.to_string())?;
            let compiled = parsed.from(&slab.ps).compile(&slab.ps, &mut slab.cs);
            Compiled::Fasteval(Box::new(FastevalExpr {
                slab,
                compiled,
                vars,
            }))
        }
        Lib::Exmex => {
            let e = exmex::parse::<f64>(src).map_err(|e| e.to_string())?;
            // exmex orders variables alphabetically; map ours onto its order.
            let order = e
                .var_names()
                .iter()
                .map(|n| {
                    case.vars
                        .iter()
                        .position(|v| v == n)
                        .ok_or(format!("exmex var {n}"))
                })
                .collect::<Result<_, _>>()?;
            Compiled::Exmex(e, order)
        }
        Lib::Meval => {
            let e: meval::Expr = src.parse().map_err(|e: meval::Error| e.to_string())?;
            let v = case.vars;
            let f: MevalFn = match v.len() {
                0 => {
                    let k = e.eval().map_err(|e| e.to_string())?;
                    Box::new(move |_| k)
                }
                1 => {
                    let f = e.bind(v[0]).map_err(|e| e.to_string())?;
                    Box::new(move |x| f(x[0]))
                }
                2 => {
                    let f = e.bind2(v[0], v[1]).map_err(|e| e.to_string())?;
                    Box::new(move |x| f(x[0], x[1]))
                }
                3 => {
                    let f = e.bind3(v[0], v[1], v[2]).map_err(|e| e.to_string())?;
                    Box::new(move |x| f(x[0], x[1], x[2]))
                }
                n => return Err(format!("meval binds at most 3 variables here, not {n}")),
            };
            Compiled::Meval(f)
        }
        Lib::Evalexpr => {
            let node = evalexpr::build_operator_tree(src).map_err(|e| e.to_string())?;
            let names = case.vars.iter().map(|s| (*s).to_string()).collect();
            Compiled::Evalexpr(node, HashMapContext::new(), names)
        }
    })
}

impl Compiled {
    /// Evaluates with `vals` bound to the case's variables, in order.
    #[inline]
    pub fn eval(&mut self, vals: &[f64]) -> f64 {
        match self {
            Compiled::ExpRs(e) => e.eval(vals).unwrap_or(f64::NAN),
            Compiled::Native(f) => f(vals),
            #[cfg(has_tinyexpr)]
            Compiled::Tinyexpr(e) => e.eval(vals),
            Compiled::Fasteval(f) => {
                f.vars.copy_from_slice(vals);
                let mut ns = fasteval::EmptyNamespace;
                f.compiled.eval(&f.slab, &mut ns).unwrap_or(f64::NAN)
            }
            Compiled::Exmex(e, order) => {
                let mut buf = [0.0; 4];
                for (slot, &i) in buf.iter_mut().zip(order.iter()) {
                    *slot = vals[i];
                }
                e.eval(&buf[..order.len()]).unwrap_or(f64::NAN)
            }
            Compiled::Meval(f) => f(vals),
            Compiled::Evalexpr(node, ctx, names) => {
                for (name, &v) in names.iter().zip(vals) {
                    let _ = ctx.set_value(name.clone(), evalexpr::Value::Float(v));
                }
                node.eval_number_with_context(ctx).unwrap_or(f64::NAN)
            }
        }
    }
}

/// Parse+compile with each library's reusable state, as an application
/// compiling many formulas keeps it: exp-rs reuses its context and resets
/// its arena, fasteval clears its slab; the others have no such state.
pub struct CompileOnly {
    ctx: exp_rs::Context<f64>,
    arena: exp_rs::bumpalo::Bump,
    slab: fasteval::Slab,
    parser: fasteval::Parser,
}

impl Default for CompileOnly {
    fn default() -> Self {
        CompileOnly {
            ctx: exp_rs::Context::new(),
            arena: exp_rs::bumpalo::Bump::new(),
            slab: fasteval::Slab::new(),
            parser: fasteval::Parser::new(),
        }
    }
}

impl CompileOnly {
    /// Parses and compiles `case` with `lib`; the result goes through
    /// `black_box` so nothing is optimised away.
    pub fn run(&mut self, lib: Lib, case: &Case) {
        let src = case.source_for(lib);
        match lib {
            Lib::ExpRs => {
                self.arena.reset();
                let e = exp_rs::Expr::compile(src, case.vars, &self.ctx, &self.arena);
                black_box(e.is_ok());
            }
            Lib::Fasteval => {
                self.slab.clear();
                if let Ok(parsed) = self.parser.parse(src, &mut self.slab.ps) {
                    black_box(
                        parsed
                            .from(&self.slab.ps)
                            .compile(&self.slab.ps, &mut self.slab.cs),
                    );
                }
            }
            Lib::Exmex => drop(black_box(exmex::parse::<f64>(src))),
            Lib::Meval => drop(black_box(src.parse::<meval::Expr>())),
            Lib::Evalexpr => drop(black_box(evalexpr::build_operator_tree(src))),
            #[cfg(has_tinyexpr)]
            Lib::Tinyexpr => drop(black_box(crate::tinyexpr::TeExpr::compile(src, case.vars))),
            #[cfg(not(has_tinyexpr))]
            Lib::Tinyexpr => {}
            Lib::Native => {}
        }
    }
}
