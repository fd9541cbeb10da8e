//! [`Batch`]: many expressions over one shared set of parameters — the
//! seed's batch builder, and the shape firmware uses (7 expressions at
//! 1000 Hz).

use alloc::vec::Vec;

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;

use crate::compiler::{FreeNames, compile};
use crate::context::Context;
use crate::error::{Error, ErrorKind, Span};
use crate::parser::parse;
use crate::program::{Program, Scratch};
use crate::real::Real;

/// Expressions compiled against shared parameters, evaluated together.
///
/// Parameters are declared with [`Batch::add_param`], or appear by
/// themselves: a name an expression uses that nothing else binds becomes
/// the next parameter, in order of first appearance. Setting up allocates
/// (in the arena, and a few small vectors on the heap); [`Batch::eval`]
/// allocates nothing.
///
/// # Example
/// ```
/// let ctx = exp_rs::Context::<f64>::new();
/// let arena = bumpalo::Bump::new();
/// let mut batch = exp_rs::Batch::new(&ctx, &arena);
/// let i = batch.add_expression("x * sin(y) + z").unwrap(); // x, y, z are params 0, 1, 2
/// let j = batch.add_expression("hypot(x, z)").unwrap();
/// batch.set_param(0, 3.0);
/// batch.set_param(2, 4.0);
/// batch.eval().unwrap();
/// assert_eq!(batch.result(i), Some(4.0));
/// assert_eq!(batch.result(j), Some(5.0));
/// ```
pub struct Batch<'a, R: Real = f64> {
    ctx: &'a Context<R>,
    arena: &'a Bump,
    names: BumpVec<'a, &'a str>,
    values: Vec<R>,
    programs: Vec<(Program<'a, R>, &'a str)>,
    results: Vec<R>,
    errors: Vec<Option<Error>>,
    scratch: Scratch<'a, R>,
}

impl<'a, R: Real> Batch<'a, R> {
    /// An empty batch compiling into `arena` against `ctx`.
    pub fn new(ctx: &'a Context<R>, arena: &'a Bump) -> Self {
        Batch {
            ctx,
            arena,
            names: BumpVec::new_in(arena),
            values: Vec::new(),
            programs: Vec::new(),
            results: Vec::new(),
            errors: Vec::new(),
            scratch: Scratch::empty(),
        }
    }

    /// Declares a parameter with its initial value and returns its index;
    /// an existing name keeps its index and takes the new value.
    pub fn add_param(&mut self, name: &str, value: R) -> Result<usize, Error> {
        if let Some(i) = self.param_index(name) {
            self.set_param(i, value);
            return Ok(i);
        }
        let full = Error::new(ErrorKind::ArenaFull, Span::default());
        let name: &'a str = self.arena.try_alloc_str(name).map_err(|_| full)?;
        self.names.try_reserve(1).map_err(|_| full)?;
        self.names.push(name);
        self.values.push(value);
        Ok(self.names.len() - 1)
    }

    /// Compiles an expression into the batch and returns its index. Its
    /// free names become parameters (initial value 0).
    pub fn add_expression(&mut self, src: &str) -> Result<usize, Error> {
        let ast = parse(src, self.arena, self.ctx.limits())?;
        let source: &'a str = self
            .arena
            .try_alloc_str(src)
            .map_err(|_| Error::new(ErrorKind::ArenaFull, Span::default()))?;
        let declared = self.names.len();
        let compiled = compile(
            ast,
            self.ctx,
            self.arena,
            &mut self.names,
            FreeNames::AreParams,
        )
        .and_then(|program| {
            if !self.scratch.fits(&program) {
                let stack = program.stack_size.max(self.scratch.stack.len() as u32);
                let frames = program.frame_count.max(self.scratch.frames.len() as u32);
                self.scratch = Scratch::new_in(self.arena, stack, frames)?;
            }
            Ok(program)
        });
        let program = match compiled {
            Ok(p) => p,
            Err(e) => {
                // Names a failed expression introduced do not stay.
                self.names.truncate(declared);
                return Err(e);
            }
        };
        self.values.resize(self.names.len(), R::ZERO);
        self.programs.push((program, source));
        self.results.push(R::NAN);
        self.errors.push(None);
        Ok(self.programs.len() - 1)
    }

    /// The index of a parameter.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| *n == name)
    }

    /// Sets parameter `index`; false if there is no such parameter.
    pub fn set_param(&mut self, index: usize, value: R) -> bool {
        match self.values.get_mut(index) {
            Some(v) => {
                *v = value;
                true
            }
            None => false,
        }
    }

    /// Sets every parameter from `values` (in index order; extra values are
    /// ignored, missing ones left as they are).
    pub fn set_params(&mut self, values: &[R]) {
        for (v, &x) in self.values.iter_mut().zip(values) {
            *v = x;
        }
    }

    /// The current value of parameter `index`.
    pub fn param(&self, index: usize) -> Option<R> {
        self.values.get(index).copied()
    }

    /// The parameter names, in index order.
    pub fn param_names(&self) -> &[&'a str] {
        &self.names
    }

    /// Evaluates every expression with the current parameters. Allocates
    /// nothing. An expression that fails gets NaN as its result and its
    /// error in [`Batch::error`]; the others are still evaluated; the first
    /// error is returned.
    pub fn eval(&mut self) -> Result<(), Error> {
        let mut first = None;
        let slots = self
            .programs
            .iter()
            .zip(self.results.iter_mut().zip(self.errors.iter_mut()));
        for ((program, _), (result, error)) in slots {
            match program.run(&self.values, &mut self.scratch) {
                Ok(v) => {
                    *result = v;
                    *error = None;
                }
                Err(e) => {
                    *result = R::NAN;
                    *error = Some(e);
                    first = first.or(Some(e));
                }
            }
        }
        first.map_or(Ok(()), Err)
    }

    /// The result of expression `index` from the last [`Batch::eval`].
    pub fn result(&self, index: usize) -> Option<R> {
        self.results.get(index).copied()
    }

    /// Every result, in expression order.
    pub fn results(&self) -> &[R] {
        &self.results
    }

    /// The error of expression `index` from the last [`Batch::eval`], if it
    /// failed.
    pub fn error(&self, index: usize) -> Option<Error> {
        self.errors.get(index).copied().flatten()
    }

    /// The source of expression `index`.
    pub fn source(&self, index: usize) -> Option<&'a str> {
        self.programs.get(index).map(|p| p.1)
    }

    /// The compiled program of expression `index`.
    pub fn program(&self, index: usize) -> Option<&Program<'a, R>> {
        self.programs.get(index).map(|p| &p.0)
    }

    /// How many expressions the batch holds.
    pub fn len(&self) -> usize {
        self.programs.len()
    }

    /// True when the batch holds no expression.
    pub fn is_empty(&self) -> bool {
        self.programs.is_empty()
    }
}
