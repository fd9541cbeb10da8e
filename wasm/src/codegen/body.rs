//! One block of the program (the main code or an expression function) as
//! the body of one WebAssembly function.
//!
//! The accumulator is a local, and so is every value-stack slot: the
//! compiler's stack depth at each instruction is known statically, so a
//! push is a `local.set` and a pop a `local.get`. Jumps only go forward
//! (they come from `?:`, `&&` and `||`), so every jump target gets a
//! `block` opened at the start of the function and closed at the target;
//! a jump is a `br` to it. Steps are counted per straight run and charged
//! at the same points as the interpreter (jumps taken, calls, returns, the
//! end), so `StepLimit` stops at the same place.

use exp_rs::ErrorKind;
use exp_rs::inspect::{Instruction, Operand};

use super::encode::{Bytes, F64, op};
use super::{Globals, Module, Unsupported};

/// A block: instructions `start..end` of the program.
pub(super) struct Block {
    pub(super) start: usize,
    pub(super) end: usize,
    /// `None` for the main code; the parameter count for a function.
    pub(super) arity: Option<u32>,
}

/// How a block's code is emitted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// A whole function: the values are its parameters, it returns the
    /// result (NaN with the status set on an error).
    Function,
    /// The main code inlined into the batch loop (export `b`): the values
    /// are f64 locals from `base` on (then the accumulator, a temporary,
    /// the stack slots), the code leaves the result on the wasm stack, and
    /// an error returns the failing row from `b` (i32 local `at` holds the
    /// row's byte offset, the row times 8).
    Inline { base: u32, at: u32 },
}

/// The local index of the values, the accumulator, a temporary, and the
/// stack slots.
struct Locals {
    /// The first value's local index.
    base: u32,
    params: u32,
}

impl Locals {
    fn param(&self, i: u32) -> u32 {
        self.base + i
    }
    fn acc(&self) -> u32 {
        self.base + self.params
    }
    fn tmp(&self) -> u32 {
        self.base + self.params + 1
    }
    fn slot(&self, i: i64) -> Result<u32, Unsupported> {
        u32::try_from(i)
            .map(|i| self.base + self.params + 2 + i)
            .map_err(|_| Unsupported("stack underflow"))
    }
}

/// What the first pass learned about a block.
struct Shape {
    /// Jump targets, ascending, deduplicated.
    targets: Vec<u32>,
    /// Deepest stack.
    max_sp: i64,
    /// True when the block has neither jumps nor calls: the step count at
    /// its end is known statically.
    straight: bool,
}

/// How many values an instruction's operands pop.
fn pops(insn: &Instruction<'_, f64>) -> i64 {
    let own = insn
        .operands()
        .filter(|o| matches!(o, Operand::Pop))
        .count() as i64;
    let args = insn
        .operands()
        .map(|o| match o {
            Operand::Function { argc, .. } | Operand::Native { argc, .. } => i64::from(argc),
            _ => 0,
        })
        .sum::<i64>();
    own + args
}

fn target(insn: &Instruction<'_, f64>) -> Option<u32> {
    insn.operands().find_map(|o| match o {
        Operand::Target(t) => Some(t),
        _ => None,
    })
}

/// First pass: stack depths (which must agree wherever paths meet), jump
/// targets, and whether anything but a straight run is there.
fn shape(insns: &[Instruction<'_, f64>], block: &Block) -> Result<Shape, Unsupported> {
    let mut targets: Vec<(u32, i64)> = Vec::new();
    let mut sp = 0i64;
    let mut reachable = true;
    let mut max_sp = 0i64;
    let mut straight = true;
    for (pc, insn) in insns.iter().enumerate().take(block.end).skip(block.start) {
        for &(_, depth) in targets.iter().filter(|t| t.0 as usize == pc) {
            if reachable && depth != sp {
                return Err(Unsupported("stack depths differ at a jump target"));
            }
            sp = depth;
            reachable = true;
        }
        sp -= pops(insn);
        if sp < 0 {
            return Err(Unsupported("stack underflow"));
        }
        match insn.opcode {
            "push" => sp += 1,
            "jump" | "jfalse" | "and" | "or" => {
                straight = false;
                let t = target(insn).ok_or(Unsupported("jump without a target"))?;
                // The end of the main code (the last block) is a target
                // too: `c ? a : b` jumps past `b` to the end.
                let past_end = t as usize == block.end && block.end == insns.len();
                if t as usize <= pc || (t as usize >= block.end && !past_end) {
                    return Err(Unsupported("a jump that is not forward within its block"));
                }
                targets.push((t, sp));
                if insn.opcode == "jump" {
                    reachable = false;
                }
            }
            "ret" => reachable = false,
            "call"
                if insn
                    .operands()
                    .any(|o| matches!(o, Operand::Function { .. })) =>
            {
                straight = false
            }
            _ => {}
        }
        max_sp = max_sp.max(sp);
    }
    // Sorted and deduplicated by binary insertion: `sort_unstable` would
    // add about 4 KB to the module, and this pass is quadratic anyway.
    let mut sorted: Vec<u32> = Vec::with_capacity(targets.len());
    for (t, _) in targets {
        let at = sorted.partition_point(|&s| s < t);
        if sorted.get(at) != Some(&t) {
            sorted.insert(at, t);
        }
    }
    let targets = sorted;
    Ok(Shape {
        targets,
        max_sp,
        straight,
    })
}

/// The code for `block` and how many values (parameters and locals) its
/// frame holds. In [`Mode::Function`] the code is a whole function body
/// (locals declared, `end` included); in [`Mode::Inline`] it is the
/// instructions alone, which leave the result on the wasm stack.
pub(super) fn body(
    m: &Module<'_, '_>,
    insns: &[Instruction<'_, f64>],
    block: &Block,
    mode: Mode,
) -> Result<(Vec<u8>, u32), Unsupported> {
    let main = block.arity.is_none();
    if !main && mode != Mode::Function {
        return Err(Unsupported("only the main code is inlined"));
    }
    let params = block.arity.unwrap_or(m.params);
    let shape = shape(insns, block)?;
    if block.end > block.start && !main || block.end < insns.len() {
        // A block other than the last must end in `ret`, or the
        // interpreter would run on into the next one.
        if insns.get(block.end.wrapping_sub(1)).map(|i| i.opcode) != Some("ret") {
            return Err(Unsupported("a block that does not end in ret"));
        }
    }
    let base = match mode {
        Mode::Function => 0,
        Mode::Inline { base, .. } => base,
    };
    let mut f = Body {
        code: Bytes::default(),
        locals: Locals { base, params },
        mode,
        main,
        pending: 0,
        dynamic: !(main && shape.straight),
        sp: 0,
        targets: shape.targets,
    };
    // Every evaluation starts afresh: step budget, call counts. (The
    // status is 0 already: whoever reads a failure clears it, export `s`.)
    if main && f.dynamic {
        f.code
            .byte(op::I64_CONST)
            .i64(i64::from(m.limits.max_steps))
            .byte(op::GLOBAL_SET)
            .u32(Globals::REM);
        for g in [Globals::DEPTH, Globals::CALLS] {
            f.code
                .byte(op::I32_CONST)
                .i64(0)
                .byte(op::GLOBAL_SET)
                .u32(g);
        }
    }
    if matches!(mode, Mode::Inline { .. }) {
        // What `ret` leaves the result to (the block gives it back).
        f.code.byte(op::BLOCK).byte(F64);
    }
    for _ in &f.targets {
        f.code.byte(op::BLOCK).byte(0x40);
    }
    let mut depth_at: Vec<(u32, i64)> = Vec::new();
    for (pc, insn) in insns.iter().enumerate().take(block.end).skip(block.start) {
        if f.targets.contains(&(pc as u32)) {
            f.flush();
            f.code.byte(op::END);
            if let Some(&(_, d)) = depth_at.iter().find(|t| t.0 as usize == pc) {
                f.sp = d;
            }
        }
        f.pending += 1;
        f.instruction(m, pc as u32, insn)?;
        if matches!(insn.opcode, "jump" | "jfalse" | "and" | "or")
            && let Some(t) = target(insn)
        {
            depth_at.push((t, f.sp));
        }
    }
    if f.targets.contains(&(block.end as u32)) {
        f.flush();
        f.code.byte(op::END);
    }
    // The end of the code (the main code without a final `ret`).
    if main {
        f.charge(m, block.end as u32);
    }
    f.code.byte(op::LOCAL_GET).u32(f.locals.acc());
    f.code.byte(op::END);
    // Locals: the accumulator, a temporary, the stack slots.
    let count = 2 + u32::try_from(shape.max_sp).map_err(|_| Unsupported("stack too deep"))?;
    if mode != Mode::Function {
        return Ok((f.code.0, params + count));
    }
    let mut out = Bytes::default();
    out.u32(1).u32(count).byte(F64);
    out.raw(&f.code.0);
    Ok((out.0, params + count))
}

struct Body {
    code: Bytes,
    locals: Locals,
    mode: Mode,
    main: bool,
    /// Instructions run since the steps were last charged.
    pending: u32,
    /// False when the step count is checked once, statically, at the end.
    dynamic: bool,
    /// The stack depth before the instruction being translated.
    sp: i64,
    targets: Vec<u32>,
}

impl Body {
    /// Subtracts the instructions run since the last charge from the
    /// budget.
    fn flush(&mut self) {
        if self.dynamic && self.pending > 0 {
            self.code
                .byte(op::GLOBAL_GET)
                .u32(Globals::REM)
                .byte(op::I64_CONST)
                .i64(i64::from(self.pending))
                .byte(op::I64_SUB)
                .byte(op::GLOBAL_SET)
                .u32(Globals::REM);
        }
        self.pending = 0;
    }

    /// A charge point: the budget must not have run out. `at` is the
    /// instruction index after the charging instruction (what the
    /// interpreter compares with its limit).
    fn charge(&mut self, m: &Module<'_, '_>, at: u32) {
        if self.dynamic {
            self.flush();
            self.code
                .byte(op::GLOBAL_GET)
                .u32(Globals::REM)
                .byte(op::I64_CONST)
                .i64(0)
                .byte(op::I64_LT_S)
                .byte(op::IF)
                .byte(0x40);
            self.fail(ErrorKind::StepLimit, None);
            self.code.byte(op::END);
        } else if at > m.limits.max_steps {
            // A straight run: `at` instructions ran, every time.
            self.fail(ErrorKind::StepLimit, None);
        }
    }

    /// Stops the evaluation with `kind`, reported at instruction `pc`
    /// (in a function body: at the top-level call that entered it; `None`:
    /// the whole expression).
    fn fail(&mut self, kind: ErrorKind, pc: Option<u32>) {
        self.code
            .byte(op::I32_CONST)
            .i64(i64::from(kind.code()))
            .byte(op::GLOBAL_SET)
            .u32(Globals::STATUS);
        match pc {
            Some(pc) if self.main => self.code.byte(op::I32_CONST).i64(i64::from(pc)),
            Some(_) => self.code.byte(op::GLOBAL_GET).u32(Globals::ENTRY),
            None => self.code.byte(op::I32_CONST).i64(-1),
        };
        self.code.byte(op::GLOBAL_SET).u32(Globals::ERRPC);
        self.stop();
    }

    /// Ends the evaluation of a point whose status is set: a function
    /// returns NaN; the batch loop returns the failing row.
    fn stop(&mut self) {
        match self.mode {
            Mode::Function => self.code.byte(op::F64_CONST).f64(f64::NAN),
            Mode::Inline { at, .. } => self
                .code
                .byte(op::LOCAL_GET)
                .u32(at)
                .byte(op::I32_CONST)
                .i64(3)
                .byte(op::I32_SHR_U),
        };
        self.code.byte(op::RETURN);
    }

    fn get(&mut self, local: u32) {
        self.code.byte(op::LOCAL_GET).u32(local);
    }

    fn set_acc(&mut self) {
        self.code.byte(op::LOCAL_SET).u32(self.locals.acc());
    }

    /// Pushes an operand's value on the wasm stack.
    fn value(&mut self, m: &Module<'_, '_>, operand: Operand<'_, f64>) -> Result<(), Unsupported> {
        match operand {
            Operand::Acc => self.get(self.locals.acc()),
            Operand::Pop => {
                self.sp -= 1;
                let slot = self.locals.slot(self.sp)?;
                self.get(slot);
            }
            Operand::Const(k) => {
                self.code.byte(op::F64_CONST).f64(k);
            }
            Operand::Param { slot, .. } if self.main => {
                if slot < m.params {
                    self.get(self.locals.param(slot));
                } else {
                    // As the interpreter: a slot past the values is NaN.
                    self.code.byte(op::F64_CONST).f64(f64::NAN);
                }
            }
            Operand::Arg { index, .. } if !self.main && index < self.locals.params => {
                self.get(index);
            }
            _ => return Err(Unsupported("an operand the generator does not know")),
        }
        Ok(())
    }

    /// Applies operator `symbol` to the two values on the wasm stack.
    fn operator(&mut self, m: &Module<'_, '_>, symbol: &str) -> Result<(), Unsupported> {
        let compare = |code: &mut Bytes, o: u8| {
            code.byte(o).byte(op::F64_CONVERT_I32_U);
        };
        match symbol {
            "+" => {
                self.code.byte(op::F64_ADD);
            }
            "-" => {
                self.code.byte(op::F64_SUB);
            }
            "*" => {
                self.code.byte(op::F64_MUL);
            }
            "/" => {
                self.code.byte(op::F64_DIV);
            }
            "%" => self.math(m, "fmod")?,
            "^" => self.math(m, "pow")?,
            "==" => compare(&mut self.code, op::F64_EQ),
            "!=" => compare(&mut self.code, op::F64_NE),
            "<" => compare(&mut self.code, op::F64_LT),
            "<=" => compare(&mut self.code, op::F64_LE),
            ">" => compare(&mut self.code, op::F64_GT),
            ">=" => compare(&mut self.code, op::F64_GE),
            _ => return Err(Unsupported("an operator the generator does not know")),
        }
        Ok(())
    }

    /// Built-in `name`: its wasm instruction where there is one with the
    /// same bits ([`math::instruction`]), else a call of the main module's
    /// export.
    fn math(&mut self, m: &Module<'_, '_>, name: &str) -> Result<(), Unsupported> {
        if let Some(opcode) = super::math::instruction(name) {
            self.code.byte(opcode);
            return Ok(());
        }
        let index = m.import(name)?;
        self.code.byte(op::CALL).u32(index);
        Ok(())
    }

    /// The relative depth of a `br` from instruction `pc` to target `t`.
    fn depth(&self, pc: u32, t: u32) -> u32 {
        self.targets.iter().filter(|&&x| x > pc && x < t).count() as u32
    }

    /// A jump taken: charge the steps, then branch.
    fn jump(&mut self, m: &Module<'_, '_>, pc: u32, t: u32) {
        self.charge(m, pc + 1);
        let depth = self.depth(pc, t);
        self.code.byte(op::BR).u32(depth);
    }

    /// `if (acc == 0)` (`zero`) or `if (acc != 0)`, opening an `if`.
    fn if_acc(&mut self, zero: bool) {
        self.get(self.locals.acc());
        self.code
            .byte(op::F64_CONST)
            .f64(0.0)
            .byte(if zero { op::F64_EQ } else { op::F64_NE })
            .byte(op::IF)
            .byte(0x40);
    }

    fn instruction(
        &mut self,
        m: &Module<'_, '_>,
        pc: u32,
        insn: &Instruction<'_, f64>,
    ) -> Result<(), Unsupported> {
        let mut operands = insn.operands();
        match insn.opcode {
            "const" | "load" | "arg" => {
                let v = operands.next().ok_or(Unsupported("missing operand"))?;
                self.value(m, v)?;
                self.set_acc();
            }
            "push" => {
                self.get(self.locals.acc());
                let slot = self.locals.slot(self.sp)?;
                self.code.byte(op::LOCAL_SET).u32(slot);
                self.sp += 1;
            }
            "neg" => {
                self.get(self.locals.acc());
                self.code.byte(op::F64_NEG);
                self.set_acc();
            }
            "square" => {
                self.get(self.locals.acc());
                self.get(self.locals.acc());
                self.code.byte(op::F64_MUL);
                self.set_acc();
            }
            "not" | "bool" => {
                self.get(self.locals.acc());
                let cmp = if insn.opcode == "not" {
                    op::F64_EQ
                } else {
                    op::F64_NE
                };
                self.code
                    .byte(op::F64_CONST)
                    .f64(0.0)
                    .byte(cmp)
                    .byte(op::F64_CONVERT_I32_U);
                self.set_acc();
            }
            "+" | "-" | "*" | "/" | "%" | "^" | "==" | "!=" | "<" | "<=" | ">" | ">=" => {
                let (Some(a), Some(b)) = (operands.next(), operands.next()) else {
                    return Err(Unsupported("an operator without two operands"));
                };
                self.value(m, a)?;
                self.value(m, b)?;
                self.operator(m, insn.opcode)?;
                self.set_acc();
            }
            "call" => match operands.next() {
                Some(Operand::Builtin(name)) => {
                    let args: Vec<_> = operands.collect();
                    for &a in &args {
                        self.value(m, a)?;
                    }
                    self.math(m, name)?;
                    self.set_acc();
                }
                Some(Operand::Function { index, argc, .. }) => self.call(m, pc, index, argc)?,
                _ => return Err(Unsupported("a call the generator does not know")),
            },
            "native" => {
                let Some(Operand::Native { name, argc }) = operands.next() else {
                    return Err(Unsupported("native without a function"));
                };
                let index = m.native(name, argc)?;
                let first = self.sp - i64::from(argc);
                for i in first..self.sp {
                    let slot = self.locals.slot(i)?;
                    self.get(slot);
                }
                self.sp = first;
                self.code.byte(op::CALL).u32(index);
                self.set_acc();
                // The JS wrapper set the status when the function failed.
                self.code
                    .byte(op::GLOBAL_GET)
                    .u32(Globals::STATUS)
                    .byte(op::IF)
                    .byte(0x40);
                self.fail(ErrorKind::Callback, Some(pc));
                self.code.byte(op::END);
            }
            "index" => {
                let Some(Operand::Array(name)) = operands.next() else {
                    return Err(Unsupported("index without an array"));
                };
                let values = m.program.array(name).ok_or(Unsupported("unknown array"))?;
                // The array lives in the main module's memory, which the
                // program keeps alive (and never changes) while it exists.
                let base = values.as_ptr() as usize as u32;
                let len = values.len() as f64;
                let (acc, tmp) = (self.locals.acc(), self.locals.tmp());
                self.get(acc);
                self.code.byte(op::F64_TRUNC).byte(op::LOCAL_TEE).u32(tmp);
                self.code.byte(op::F64_CONST).f64(0.0).byte(op::F64_GE);
                self.get(tmp);
                self.code.byte(op::F64_CONST).f64(len).byte(op::F64_LT);
                self.code.byte(op::I32_AND).byte(op::I32_EQZ);
                self.code.byte(op::IF).byte(0x40);
                self.fail(ErrorKind::IndexOutOfBounds, Some(pc));
                self.code.byte(op::END);
                self.get(tmp);
                self.code
                    .byte(op::PREFIX_FC)
                    .u32(op::TRUNC_SAT_F64_U)
                    .byte(op::I32_CONST)
                    .i64(3)
                    .byte(op::I32_SHL)
                    .byte(op::F64_LOAD)
                    .u32(3)
                    .u32(base);
                self.set_acc();
            }
            "ret" => {
                self.charge(m, pc + 1);
                self.get(self.locals.acc());
                match self.mode {
                    Mode::Function => self.code.byte(op::RETURN),
                    // To the end of the inlined code: past every target
                    // block still open.
                    Mode::Inline { .. } => {
                        let open = self.targets.iter().filter(|&&x| x > pc).count() as u32;
                        self.code.byte(op::BR).u32(open)
                    }
                };
            }
            "jump" => {
                let t = target(insn).ok_or(Unsupported("jump without a target"))?;
                self.jump(m, pc, t);
            }
            "jfalse" | "and" | "or" => {
                let t = target(insn).ok_or(Unsupported("jump without a target"))?;
                self.if_acc(insn.opcode != "or");
                // Charged inside the branch; the run goes on otherwise.
                let pending = self.pending;
                match insn.opcode {
                    "and" => {
                        self.code.byte(op::F64_CONST).f64(0.0);
                        self.set_acc();
                    }
                    "or" => {
                        self.code.byte(op::F64_CONST).f64(1.0);
                        self.set_acc();
                    }
                    _ => {}
                }
                self.charge(m, pc + 1);
                // One more level: the `if` itself.
                let depth = self.depth(pc, t) + 1;
                self.code.byte(op::BR).u32(depth).byte(op::END);
                self.pending = pending;
            }
            _ => return Err(Unsupported("an instruction the generator does not know")),
        }
        Ok(())
    }

    /// A call of expression function `index` with `argc` arguments on the
    /// stack, under the same limits as the interpreter.
    fn call(
        &mut self,
        m: &Module<'_, '_>,
        pc: u32,
        index: u32,
        argc: u32,
    ) -> Result<(), Unsupported> {
        if m.arities.get(index as usize) != Some(&argc) {
            return Err(Unsupported("a call with the wrong argument count"));
        }
        // Steps first, as in the interpreter.
        self.charge(m, pc + 1);
        let g = |code: &mut Bytes, global: u32, limit: u32| {
            code.byte(op::GLOBAL_GET)
                .u32(global)
                .byte(op::I32_CONST)
                .i64(i64::from(limit as i32))
                .byte(op::I32_GE_U);
        };
        g(&mut self.code, Globals::DEPTH, m.depth_cap);
        g(&mut self.code, Globals::CALLS, m.limits.max_total_calls);
        self.code.byte(op::I32_OR).byte(op::IF).byte(0x40);
        self.fail(ErrorKind::RecursionLimit, Some(pc));
        self.code.byte(op::END);
        if self.main {
            self.code
                .byte(op::I32_CONST)
                .i64(i64::from(pc))
                .byte(op::GLOBAL_SET)
                .u32(Globals::ENTRY);
        }
        for (global, delta) in [(Globals::DEPTH, 1), (Globals::CALLS, 1)] {
            self.code
                .byte(op::GLOBAL_GET)
                .u32(global)
                .byte(op::I32_CONST)
                .i64(delta)
                .byte(op::I32_ADD)
                .byte(op::GLOBAL_SET)
                .u32(global);
        }
        let first = self.sp - i64::from(argc);
        for i in first..self.sp {
            let slot = self.locals.slot(i)?;
            self.get(slot);
        }
        self.sp = first;
        self.code.byte(op::CALL).u32(m.function_index(index));
        self.set_acc();
        self.code
            .byte(op::GLOBAL_GET)
            .u32(Globals::DEPTH)
            .byte(op::I32_CONST)
            .i64(1)
            .byte(op::I32_SUB)
            .byte(op::GLOBAL_SET)
            .u32(Globals::DEPTH);
        // An error below: pass it up.
        self.code
            .byte(op::GLOBAL_GET)
            .u32(Globals::STATUS)
            .byte(op::IF)
            .byte(0x40);
        self.stop();
        self.code.byte(op::END);
        Ok(())
    }
}
