//! Stage timings and peak memory, printed when `OPSWIKI_TIMINGS` is set.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Prints how long each stage took when `OPSWIKI_TIMINGS` is set: the first
/// thing to look at when a build is slow. Beside the wall time, the CPU time
/// the whole process spent in the stage (on a shared machine wall time
/// swings with other jobs, CPU time far less) and the resident memory at
/// its end (what the stages keep, which the peak alone does not show).
pub struct StageTimer {
    last: Option<Cell<(Instant, Duration)>>,
}

impl StageTimer {
    pub fn from_env() -> StageTimer {
        StageTimer {
            last: std::env::var_os("OPSWIKI_TIMINGS")
                .map(|_| Cell::new((Instant::now(), cpu_time()))),
        }
    }

    /// Whether timings are printed.
    pub fn enabled(&self) -> bool {
        self.last.is_some()
    }

    pub fn mark(&self, stage: &str) {
        if let Some(last) = &self.last {
            let (now, cpu) = (Instant::now(), cpu_time());
            let (then, cpu_then) = last.get();
            eprintln!(
                "timing: {stage:<8} {:>8.1?}  cpu {:>8.1?}  rss {:>5} MB",
                now - then,
                cpu.saturating_sub(cpu_then),
                status_kb("VmRSS:").unwrap_or(0) / 1000
            );
            last.set((now, cpu));
        }
    }
}

/// The CPU time (user and system) of every thread of the process so far.
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` writes only into the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return Duration::ZERO;
        }
        usage
    };
    let of = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    of(usage.ru_utime) + of(usage.ru_stime)
}

/// A `kB` figure of `/proc/self/status` (Linux).
fn status_kb(field: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
}

/// With `OPSWIKI_TIMINGS` set, print the process's peak resident memory
/// (Linux's `VmHWM`), however the command ended. The parent's view of it
/// (`wait4`'s `ru_maxrss`) cannot be used: it starts from the parent's own
/// peak when it spawned the process, which for a test harness is far larger
/// than a small build.
pub fn print_peak_memory() {
    if std::env::var_os("OPSWIKI_TIMINGS").is_none() {
        return;
    }
    if let Some(kb) = status_kb("VmHWM:") {
        eprintln!("timing: peak memory {kb} kB");
    }
}
