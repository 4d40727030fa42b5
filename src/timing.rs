//! Stage timings and peak memory, printed when `OPSWIKI_TIMINGS` is set.

/// Prints how long each stage took when `OPSWIKI_TIMINGS` is set: the first
/// thing to look at when a build is slow.
pub struct StageTimer {
    last: Option<std::cell::Cell<std::time::Instant>>,
}

impl StageTimer {
    pub fn from_env() -> StageTimer {
        StageTimer {
            last: std::env::var_os("OPSWIKI_TIMINGS")
                .map(|_| std::cell::Cell::new(std::time::Instant::now())),
        }
    }

    pub fn mark(&self, stage: &str) {
        if let Some(last) = &self.last {
            let now = std::time::Instant::now();
            eprintln!("timing: {stage:<8} {:>8.1?}", now - last.get());
            last.set(now);
        }
    }
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
    let peak_kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
    if let Some(kb) = peak_kb {
        eprintln!("timing: peak memory {kb} kB");
    }
}
