//! A tiny process runner: echo the command, run it, and turn a non-zero exit
//! into an error message that names the command.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A command line to run. Build it with [`Cmd::new`] and the chained setters,
/// then [`Cmd::run`] it (echoed, output shown) or [`Cmd::read`] it (quiet,
/// stdout captured).
///
/// Standard input is always closed: CI has none, and a tool that waits for
/// an answer must fail instead of hanging.
#[derive(Clone, Debug)]
pub struct Cmd {
    /// The program to start, looked up on `PATH`.
    program: OsString,
    /// Its arguments.
    args: Vec<OsString>,
    /// Extra environment variables, shown in the echoed command line.
    envs: Vec<(OsString, OsString)>,
    /// Working directory; `None` inherits ours (the workspace root).
    dir: Option<PathBuf>,
}

impl Cmd {
    /// A command running `program` with no arguments.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            envs: Vec::new(),
            dir: None,
        }
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends several arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for this command only.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Runs the command in `dir` instead of the workspace root.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The `std` command this describes, with stdin closed.
    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args).stdin(Stdio::null());
        for (k, v) in &self.envs {
            c.env(k, v);
        }
        if let Some(dir) = &self.dir {
            c.current_dir(dir);
        }
        c
    }

    /// Echoes the command as `$ …`, runs it with its output shown, and fails
    /// naming the command if it cannot start or exits non-zero.
    pub fn run(&self) -> Result<(), String> {
        println!("$ {self}");
        let status = self
            .command()
            .status()
            .map_err(|e| format!("could not start `{self}`: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{self}` failed ({status})"))
        }
    }

    /// Echoes the command and starts it in the background with stdout and
    /// stderr written to `log`, for jobs that run side by side.
    pub fn spawn_logged(&self, log: &Path) -> Result<Child, String> {
        println!("$ {self} > {}", log.display());
        let out = File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        self.command()
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("could not start `{self}`: {e}"))
    }

    /// Runs the command quietly and returns its stdout; on failure the error
    /// names the command and includes its stderr. For probes such as
    /// "is this installed?", which should not clutter the log.
    pub fn read(&self) -> Result<String, String> {
        let out = self
            .command()
            .output()
            .map_err(|e| format!("could not start `{self}`: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "`{self}` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

/// Renders the command as a shell would take it:
/// `[cd DIR &&] KEY=value program args`,
/// single-quoting any word that is not plainly safe.
impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(dir) = &self.dir {
            write!(f, "cd {} && ", quote(dir.as_os_str()))?;
        }
        for (k, v) in &self.envs {
            write!(f, "{}={} ", k.to_string_lossy(), quote(v))?;
        }
        write!(f, "{}", quote(&self.program))?;
        for a in &self.args {
            write!(f, " {}", quote(a))?;
        }
        Ok(())
    }
}

/// Quotes one word for display, leaving common safe words unquoted.
fn quote(word: &OsStr) -> String {
    let s = word.to_string_lossy();
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./,:=+@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A `cargo` command. Under rustup, cargo exports `RUSTUP_TOOLCHAIN` to the
/// programs it runs, so the `cargo` proxy on `PATH` picks the same toolchain
/// that runs xtask (and `cargo +nightly …` still works for jobs that need it).
pub fn cargo() -> Cmd {
    Cmd::new("cargo")
}
