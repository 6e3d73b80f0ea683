//! One `planet` process, measured: wall time, CPU time (user + system) and peak resident memory
//! from `wait4` on the child, and whether it exited 0.
//!
//! Linux charges a child's `ru_maxrss` with its parent's resident memory at exec time (the old
//! address space's high-water mark is kept), so a child of the benchmark, which holds every
//! generated feed, would report hundreds of megabytes it never used. The benchmark therefore
//! starts a [`Launcher`], a copy of itself made while it is still small, which spawns every
//! measured run. Tests, which check no memory figure, run the child themselves ([`Runner::Here`]).

use std::io::{BufRead as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

/// What one run of `planet` cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub wall: Duration,
    pub cpu: Duration,
    /// The part of `cpu` spent in the kernel: writing files into memory the kernel has to
    /// find first is most of what varies between rounds on a virtual machine.
    pub sys: Duration,
    pub max_rss_kb: i64,
    /// It exited with status 0.
    pub ok: bool,
}

/// Who spawns the measured runs.
pub enum Runner {
    /// This process: its own resident memory counts in the children's peak.
    Here,
    /// A small process started for the purpose.
    Launcher(Launcher),
}

impl Runner {
    /// Runs `planet -q COMMAND --config planet.toml` in `dir` and measures it.
    pub fn run(&mut self, planet: &Path, dir: &Path, command: &str) -> anyhow::Result<Usage> {
        match self {
            Runner::Here => spawn_and_wait(planet, dir, command),
            Runner::Launcher(l) => l.run(planet, dir, command),
        }
    }
}

/// This binary again, started with `--launcher` before the feeds are generated. It reads
/// `PLANET\tDIR\tCOMMAND` lines on stdin, answers `WALL_NS CPU_NS SYS_NS MAXRSS_KB EXIT_OK`
/// lines on stdout, and ends when its stdin closes.
pub struct Launcher {
    _child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl Launcher {
    pub fn start() -> anyhow::Result<Launcher> {
        let exe = std::env::current_exe().context("cannot locate the benchmark binary")?;
        let mut child = Command::new(exe)
            .arg("--launcher")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start the launcher")?;
        let input = child.stdin.take().context("launcher has no stdin")?;
        let output = child.stdout.take().context("launcher has no stdout")?;
        Ok(Launcher {
            _child: child,
            input,
            output: std::io::BufReader::new(output),
        })
    }

    fn run(&mut self, planet: &Path, dir: &Path, command: &str) -> anyhow::Result<Usage> {
        writeln!(
            self.input,
            "{}\t{}\t{command}",
            planet.display(),
            dir.display()
        )?;
        self.input.flush()?;
        let mut line = String::new();
        self.output.read_line(&mut line)?;
        let f: Vec<i64> = line
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [wall, cpu, sys, rss, ok] = f[..] else {
            bail!("the launcher failed: {line:?}");
        };
        Ok(Usage {
            wall: Duration::from_nanos(wall.unsigned_abs()),
            cpu: Duration::from_nanos(cpu.unsigned_abs()),
            sys: Duration::from_nanos(sys.unsigned_abs()),
            max_rss_kb: rss,
            ok: ok == 1,
        })
    }
}

/// The launcher's side: serves [`Launcher::run`] requests until stdin closes.
pub fn launcher_loop() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        let mut parts = line.splitn(3, '\t');
        let (Some(planet), Some(dir), Some(command)) = (parts.next(), parts.next(), parts.next())
        else {
            bail!("bad launcher request {line:?}");
        };
        let u = spawn_and_wait(Path::new(planet), Path::new(dir), command)?;
        writeln!(
            out,
            "{} {} {} {} {}",
            u.wall.as_nanos(),
            u.cpu.as_nanos(),
            u.sys.as_nanos(),
            u.max_rss_kb,
            u8::from(u.ok)
        )?;
        out.flush()?;
    }
    Ok(())
}

/// Runs `planet -q COMMAND --config planet.toml` in `dir`, silenced, and reaps it with `wait4`.
fn spawn_and_wait(planet: &Path, dir: &Path, command: &str) -> anyhow::Result<Usage> {
    let start = Instant::now();
    let child = Command::new(planet)
        .args(["-q", command, "--config", "planet.toml"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot run `{}`", planet.display()))?;
    let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (std's `Child` is never waited on), and both
    // pointers are to live locals of the right types.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if r != pid {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.unsigned_abs())
            + Duration::from_micros(t.tv_usec.unsigned_abs())
    };
    Ok(Usage {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        sys: tv(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    })
}
