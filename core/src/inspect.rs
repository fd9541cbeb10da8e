//! The compiled program as data: a read-only view for tools.
//!
//! [`Program::instructions`] lists every instruction with its opcode name,
//! its operands and the span of the tree node it was lowered from;
//! [`Program::folded`] names the nodes the compiler folded into constants;
//! [`Program::functions`] the expression functions compiled in. The
//! disassembly (`Display` for [`Program`]) is written from this view, the
//! playground draws its listing and highlights from it, and the
//! WebAssembly code generator of the JS door reads it.
//!
//! ```
//! use exp_rs::inspect::Operand;
//! let ctx = exp_rs::Context::<f64>::new();
//! let arena = bumpalo::Bump::new();
//! let e = exp_rs::Expr::compile("x * 2 * 3", &["x"], &ctx, &arena).unwrap();
//! let first = e.program().instructions().next().unwrap();
//! assert_eq!(first.opcode, "*");
//! let operands: Vec<_> = first.operands().collect();
//! assert_eq!(operands, [Operand::Param { slot: 0, name: "x" }, Operand::Const(6.0)]);
//! assert_eq!(e.program().to_string(), "   0  *       x, 6\n; 1 instructions, stack 0, call depth 0");
//! ```

use core::fmt;

use crate::error::Span;
use crate::program::{Instr, Program};
use crate::real::Real;

/// One operand of an [`Instruction`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Operand<'p, R> {
    /// The accumulator (the value computed so far).
    Acc,
    /// The top of the value stack, popped.
    Pop,
    /// A constant.
    Const(R),
    /// A parameter slot of the program.
    Param {
        /// Its slot.
        slot: u32,
        /// Its name.
        name: &'p str,
    },
    /// An argument of the expression function running.
    Arg {
        /// Its position.
        index: u32,
        /// Its parameter name.
        name: &'p str,
    },
    /// A built-in function, by its name (`sin`, `fmin` for `min`).
    Builtin(&'static str),
    /// A native function and its argument count (taken from the stack).
    Native {
        /// Its name.
        name: &'p str,
        /// Arguments it takes from the value stack.
        argc: u32,
    },
    /// An expression function compiled into the program, and the argument
    /// count (taken from the stack).
    Function {
        /// Its name.
        name: &'p str,
        /// Index into [`Program::functions`].
        index: u32,
        /// Arguments it takes from the value stack.
        argc: u32,
    },
    /// An array of the context, indexed by the accumulator.
    Array(&'p str),
    /// A jump target (an instruction index).
    Target(u32),
}

/// One instruction, as data.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Instruction<'p, R> {
    /// Its index in the program (what jump targets name).
    pub pc: u32,
    /// Its opcode: `const`, `load`, `arg`, `push`, `neg`, `square`, `not`,
    /// `bool`, an operator (`+ - * / % ^ == != < <= > >=`), `call` (a
    /// built-in or an expression function), `native`, `index`, `ret`,
    /// `jump`, `jfalse` (jump when the accumulator is 0), `and` (when it is
    /// 0, make it 0 and jump), `or` (when it is not 0, make it 1 and jump).
    pub opcode: &'static str,
    operands: [Option<Operand<'p, R>>; 3],
    /// The span of the tree node it was lowered from: into the expression's
    /// source in the main code, into the definition in a function's block.
    pub span: Span,
    /// The expression function whose block it belongs to (an index into
    /// [`Program::functions`]), or `None` for the main code.
    pub function: Option<u32>,
}

impl<'p, R: Copy> Instruction<'p, R> {
    /// Its operands, in the order the disassembly prints them (for an
    /// operator: left, right).
    pub fn operands(&self) -> impl Iterator<Item = Operand<'p, R>> + '_ {
        self.operands.iter().map_while(|o| *o)
    }
}

/// The evaluation limits a program was compiled under
/// ([`Program::limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EvalLimits {
    /// Deepest chain of expression-function calls (`RecursionLimit` past it).
    pub max_calls: u32,
    /// Most expression-function calls in one evaluation.
    pub max_total_calls: u32,
    /// Most instructions one evaluation runs (`StepLimit` past it).
    pub max_steps: u32,
}

/// An expression function compiled into a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunctionInfo<'p> {
    /// Its name.
    pub name: &'p str,
    /// Its parameters.
    pub params: &'p [&'p str],
    /// Its definition, `name(params…) = body`; the spans of its block's
    /// instructions point into it.
    pub source: &'p str,
    /// The index of its first instruction.
    pub entry: u32,
}

impl<'a, R: Real> Program<'a, R> {
    /// Every instruction, in program order (main code first, then one block
    /// per expression function).
    pub fn instructions(&self) -> impl ExactSizeIterator<Item = Instruction<'_, R>> + '_ {
        self.code.iter().enumerate().map(move |(pc, &instr)| {
            let span = self.spans.get(pc).copied().unwrap_or_default();
            let function = self
                .functions
                .iter()
                .rposition(|f| f.entry as usize <= pc)
                .map(|i| i as u32);
            let (opcode, operands) = self.describe(instr.to_instr(), function);
            Instruction {
                pc: pc as u32,
                opcode,
                operands,
                span,
                function,
            }
        })
    }

    /// How many instructions the program has.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// True for a program without instructions (a constant is one `const`,
    /// so no compiled expression is empty).
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// The spans of the main expression's nodes that the compiler folded
    /// into constants (`2 * 3`, `pi`, `cal.gain`, `lut[1]`), each once;
    /// literals are not listed.
    pub fn folded(&self) -> &'a [Span] {
        self.folded
    }

    /// The expression functions compiled into the program, in the order of
    /// their blocks.
    pub fn functions(&self) -> impl ExactSizeIterator<Item = FunctionInfo<'a>> + '_ {
        self.functions.iter().map(|f| FunctionInfo {
            name: f.name,
            params: f.params,
            source: f.source,
            entry: f.entry,
        })
    }

    /// The names of the native functions the program calls.
    pub fn natives(&self) -> impl ExactSizeIterator<Item = &'a str> + '_ {
        self.natives.iter().map(|n| n.0)
    }

    /// The values of the array the program reads as `name` (what an
    /// `index` instruction's [`Operand::Array`] names); it holds them
    /// itself, so they never change after the compile.
    pub fn array(&self, name: &str) -> Option<&[R]> {
        self.arrays.iter().find(|a| a.0 == name).map(|a| &a.1[..])
    }

    /// The limits the program was compiled under: how deep expression
    /// functions may nest, how many calls and how many steps one
    /// evaluation may make. A second tier stops where the interpreter does
    /// by counting against these.
    pub fn limits(&self) -> EvalLimits {
        EvalLimits {
            max_calls: self.max_calls,
            max_total_calls: self.max_total_calls,
            max_steps: self.max_steps,
        }
    }

    /// The span a `StepLimit` error is reported at (the whole expression).
    pub fn span(&self) -> Span {
        self.span
    }

    /// The span an evaluation error raised by instruction `pc` itself
    /// carries: the `a[i]` of an `index`, the call of a `native` or of an
    /// expression function (inside a function body the interpreter reports
    /// the top-level call that entered it instead). `None` for
    /// instructions that cannot fail.
    pub fn error_span(&self, pc: u32) -> Option<Span> {
        match self.code.get(pc as usize)?.to_instr() {
            Instr::Index { span, .. } | Instr::Native { span, .. } | Instr::Call { span, .. } => {
                Some(span)
            }
            _ => None,
        }
    }

    fn describe(
        &self,
        instr: Instr<R>,
        function: Option<u32>,
    ) -> (&'static str, [Option<Operand<'_, R>>; 3]) {
        use Operand as O;
        let params = function
            .and_then(|f| self.functions.get(f as usize))
            .map_or(&[][..], |f| f.params);
        let p = |s: u32| O::Param {
            slot: s,
            name: self.param_name(s).unwrap_or("?"),
        };
        let one = |a| [Some(a), None, None];
        let two = |a, b| [Some(a), Some(b), None];
        match instr {
            Instr::Const(k) => ("const", one(O::Const(k))),
            Instr::Load(s) => ("load", one(p(s))),
            Instr::Arg(i) => {
                let name = params.get(i as usize).copied().unwrap_or("?");
                ("arg", one(O::Arg { index: i, name }))
            }
            Instr::Push => ("push", [None; 3]),
            Instr::Neg => ("neg", [None; 3]),
            Instr::Sq => ("square", [None; 3]),
            Instr::Not => ("not", [None; 3]),
            Instr::Bool => ("bool", [None; 3]),
            Instr::Bin(op) => (op.symbol(), two(O::Pop, O::Acc)),
            Instr::BinK(op, k) => (op.symbol(), two(O::Acc, O::Const(k))),
            Instr::KBin(op, k) => (op.symbol(), two(O::Const(k), O::Acc)),
            Instr::BinX(op, s) => (op.symbol(), two(O::Acc, p(s))),
            Instr::XBin(op, s) => (op.symbol(), two(p(s), O::Acc)),
            Instr::LoadK(op, s, k) => (op.symbol(), two(p(s), O::Const(k))),
            Instr::KLoad(op, k, s) => (op.symbol(), two(O::Const(k), p(s))),
            Instr::LoadX(op, a, b) => (op.symbol(), two(p(a), p(b))),
            Instr::LoadF1(f, s) => ("call", two(O::Builtin(f.name()), p(s))),
            Instr::F1(f) => ("call", two(O::Builtin(f.name()), O::Acc)),
            Instr::F2(f) => (
                "call",
                [Some(O::Builtin(f.name())), Some(O::Pop), Some(O::Acc)],
            ),
            Instr::F2K(f, k) => (
                "call",
                [Some(O::Builtin(f.name())), Some(O::Acc), Some(O::Const(k))],
            ),
            Instr::KF2(f, k) => (
                "call",
                [Some(O::Builtin(f.name())), Some(O::Const(k)), Some(O::Acc)],
            ),
            Instr::Native { id, argc, .. } => {
                let name = self.natives.get(id as usize).map_or("?", |n| n.0);
                ("native", one(O::Native { name, argc }))
            }
            Instr::Index { id, .. } => {
                let name = self.arrays.get(id as usize).map_or("?", |a| a.0);
                ("index", two(O::Array(name), O::Acc))
            }
            Instr::Call { func, argc, .. } => {
                let name = self.functions.get(func as usize).map_or("?", |b| b.name);
                (
                    "call",
                    one(O::Function {
                        name,
                        index: func,
                        argc,
                    }),
                )
            }
            Instr::Ret => ("ret", [None; 3]),
            Instr::Jump(t) => ("jump", one(O::Target(t))),
            Instr::JumpIfFalse(t) => ("jfalse", one(O::Target(t))),
            Instr::AndJump(t) => ("and", one(O::Target(t))),
            Instr::OrJump(t) => ("or", one(O::Target(t))),
        }
    }
}

impl<R: Real> fmt::Display for Operand<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Operand::Acc => f.write_str("acc"),
            Operand::Pop => f.write_str("pop"),
            Operand::Const(k) => write!(f, "{}", crate::decimal::Plain(k)),
            Operand::Param { name, .. } | Operand::Arg { name, .. } => f.write_str(name),
            Operand::Builtin(name) => f.write_str(name),
            Operand::Native { name, argc } | Operand::Function { name, argc, .. } => {
                write!(f, "{name}/{argc}")
            }
            Operand::Array(name) => f.write_str(name),
            Operand::Target(t) => write!(f, "{t}"),
        }
    }
}

impl<R: Real> fmt::Display for Program<'_, R> {
    /// The disassembly listing: one numbered instruction per line
    /// (`opcode operand, operand`), function entries labelled, then the
    /// sizes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for insn in self.instructions() {
            for block in self.functions.iter().filter(|b| b.entry == insn.pc) {
                writeln!(f, "{}/{}:", block.name, block.arity)?;
            }
            write!(f, "{:4}  {}", insn.pc, insn.opcode)?;
            for (i, operand) in insn.operands().enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                let pad = if i == 0 {
                    7usize.saturating_sub(insn.opcode.len())
                } else {
                    0
                };
                write!(f, "{:pad$}{sep}{operand}", "")?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "; {} instructions, stack {}, call depth {}",
            self.code.len(),
            self.stack_size,
            self.frame_count
        )
    }
}
