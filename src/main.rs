use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use mimalloc::MiMalloc;
use opswiki::cli::{Cli, Command};
use opswiki::cmd;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve(_)) {
        use_system_allocator();
    }
    let code = match &cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Status(args) => cmd::status::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::New(args) => cmd::new::run(args),
        Command::Init(args) => cmd::init::run(args),
    };
    opswiki::timing::print_peak_memory();
    code
}

/// mimalloc rather than the system allocator for builds: a build allocates
/// and frees millions of small strings and values on every thread, and with
/// glibc's malloc that was a fifth of the CPU time (`malloc_consolidate`,
/// arena locks, heap growth by `mprotect`). mimalloc's thread-local free
/// lists cut the 10k-page build's CPU time by about a fifth and its peak
/// memory by 5 to 10% (bench/README.md), with byte-identical output.
///
/// The dev server asks for the system allocator instead ([`use_system_allocator`]):
/// it runs a thread per connection, and mimalloc's heap per thread took
/// 64 keep-alive clients from 30 to 115 MiB, against 15 to 19 MiB.
#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

/// After [`use_system_allocator`], new blocks come from the system allocator.
static SYSTEM_ONLY: AtomicBool = AtomicBool::new(false);

/// mimalloc, or the system allocator once [`SYSTEM_ONLY`] is set. A block is
/// always freed or grown by the allocator that made it: mimalloc knows its
/// own blocks (`mi_is_in_heap_region`, a lookup in its page map, the test
/// its own `realloc` uses for foreign pointers), so blocks made before the
/// switch stay valid after it.
struct Allocator;

/// Whether mimalloc made the block at `ptr`. Until the switch every block
/// is mimalloc's, and builds never switch: they skip the lookup, which on
/// every free cost 3% of a build's instructions.
fn from_mimalloc(ptr: *mut u8) -> bool {
    // Acquire: a block handed over from a thread that switched is seen
    // with the switch.
    !SYSTEM_ONLY.load(Ordering::Acquire)
        // SAFETY: only reads mimalloc's page map; any address may be asked about.
        || unsafe { libmimalloc_sys::mi_is_in_heap_region(ptr.cast()) }
}

// SAFETY: each call goes to one allocator, and a block goes back to the
// allocator that made it (see `Allocator`).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if SYSTEM_ONLY.load(Ordering::Relaxed) {
            unsafe { System.alloc(layout) }
        } else {
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if SYSTEM_ONLY.load(Ordering::Relaxed) {
            unsafe { System.alloc_zeroed(layout) }
        } else {
            unsafe { MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if from_mimalloc(ptr) {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        } else {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if from_mimalloc(ptr) {
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        } else {
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

/// New blocks from the system allocator from now on (see [`ALLOCATOR`]).
fn use_system_allocator() {
    SYSTEM_ONLY.store(true, Ordering::Release);
}
