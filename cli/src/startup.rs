//! Start-up tuning of a short-lived process (Linux with glibc; elsewhere nothing happens).
//!
//! `tollgate check` runs on every CI build and takes a few milliseconds, and a fresh process
//! spends a large part of them in page faults. Two things help:
//!
//! - **The allocator keeps what it has.** glibc returns freed memory to the kernel eagerly (heap
//!   trimming above 128 KiB, and `mmap` for every block above 128 KiB), so a process that reads a
//!   lockfile, frees it and builds a graph gets fresh, kernel-zeroed pages again and again: on a
//!   1,500-package `Cargo.lock` that was about a third of `check`'s run time. A short-lived
//!   process gains nothing from returning memory early.
//! - **Code mapped ahead, on the second core** (`check` only). The executable's pages are in the
//!   page cache, but each 64 KiB of it the run executes costs a page fault on first use, and a
//!   check executes megabytes of it, scattered. At start the process is single-threaded for a
//!   few hundred microseconds (arguments, configuration, lockfile discovery) and the second core
//!   is idle: a thread reads one byte of every 64 KiB of the code and read-only data, so that the
//!   kernel maps them there instead of on the main thread's path. Page faults take only the
//!   faulting mapping's lock, so this never holds up a thread that maps memory (an
//!   `madvise(MADV_POPULATE_READ)` would: it holds the whole address space's lock, and the
//!   loading thread's start waited for it). Other commands do not do it: their run time is not
//!   start-up, and the mapped pages would only add to their resident size. Populating the heap
//!   ahead the same way was measured and left out: it held up the loading thread's start more
//!   than it saved. The same thread first asks for the CPU's features, so that the standard
//!   library's detection (dozens of `CPUID` instructions, ~7 µs each in a virtual machine) runs
//!   there and not on the first thread to search a string. Figures in `docs/benchmarks.md`
//!   ("Round of 2026-12-04, second session").
//!
//! This is the binary's one use of `unsafe` (libc has no safe `mallopt` or `dl_iterate_phdr`,
//! and the code is read through raw pointers): the workspace denies it, and the library crates
//! forbid it.

/// The kernel's default fault-around window (`fault_around_bytes`): one read fault in a file
/// mapping maps the cached pages of the aligned window around it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const FAULT_AROUND: usize = 64 << 10;

/// Tunes the allocator and, with `map_code`, starts the thread that maps the code ahead; call
/// first in `main`, before any other thread starts.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // see the module docs
pub fn tune(map_code: bool) {
    // SAFETY: `mallopt` only sets allocator parameters; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
        libc::mallopt(libc::M_TOP_PAD, 1 << 20);
    }
    if !map_code {
        return;
    }
    let code = code_ranges();
    if code.is_empty() {
        return;
    }
    // Detached: the thread only reads, and the process may end before it is done.
    let _ = std::thread::Builder::new()
        .name("tollgate-warm".into())
        .stack_size(64 << 10)
        .spawn(move || {
            // The standard library detects the CPU's features on first use (memchr, crc32
            // ask), with dozens of `CPUID` instructions: ~7 µs each in a virtual machine. Asked
            // here first, the detection runs on this core too.
            #[cfg(target_arch = "x86_64")]
            std::hint::black_box(std::arch::is_x86_feature_detected!("avx2"));
            for (start, len) in code {
                touch(start, len);
            }
        });
}

/// Elsewhere: nothing to tune.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune(_map_code: bool) {}

/// The executable's loaded segments that are not writable: its code and read-only data, as
/// `(start, length)` with a page-aligned start.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn code_ranges() -> Vec<(usize, usize)> {
    /// Called for each loaded object, the executable first: collects its read-only segments and
    /// stops.
    unsafe extern "C" fn first_object(
        info: *mut libc::dl_phdr_info,
        _size: usize,
        data: *mut libc::c_void,
    ) -> libc::c_int {
        // SAFETY: glibc passes a valid `dl_phdr_info` whose `dlpi_phdr` points at `dlpi_phnum`
        // program headers, and `data` is the `Vec` given to `dl_iterate_phdr` below, borrowed
        // for the call only.
        unsafe {
            let info = &*info;
            let out = &mut *(data as *mut Vec<(usize, usize)>);
            if info.dlpi_phdr.is_null() {
                return 1;
            }
            let headers = std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum));
            for h in headers {
                if h.p_type != libc::PT_LOAD || h.p_flags & libc::PF_W != 0 || h.p_memsz == 0 {
                    continue;
                }
                let base = info.dlpi_addr as usize;
                let start = base.wrapping_add(h.p_vaddr as usize) & !4095;
                let end = base.wrapping_add(h.p_vaddr.wrapping_add(h.p_memsz) as usize);
                if end > start {
                    out.push((start, end - start));
                }
            }
        }
        1
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    // SAFETY: the callback only reads the headers glibc passes and pushes to `out`, which
    // outlives the call.
    unsafe {
        libc::dl_iterate_phdr(Some(first_object), (&raw mut out).cast());
    }
    out
}

/// Reads one byte of every fault-around window of `[start, start + len)`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn touch(start: usize, len: usize) {
    let end = start.saturating_add(len);
    let mut at = start;
    while at < end {
        // SAFETY: `at` lies in one of the executable's read-only `PT_LOAD` segments, mapped
        // readable for the whole life of the process (from its page-aligned start to its end);
        // a byte is read, nothing written.
        unsafe {
            std::ptr::read_volatile(at as *const u8);
        }
        at += FAULT_AROUND;
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use std::sync::atomic::{AtomicU8, Ordering};

    /// Lives in a writable segment: never among the ranges read ahead.
    static WRITABLE: AtomicU8 = AtomicU8::new(0);

    #[test]
    fn the_code_ranges_hold_the_code_and_not_the_writable_data() {
        let ranges = super::code_ranges();
        let within = |addr: usize| ranges.iter().any(|&(s, l)| (s..s + l).contains(&addr));
        let code = super::code_ranges as fn() -> Vec<(usize, usize)> as usize;
        assert!(within(code), "{code:#x} in {ranges:x?}");
        WRITABLE.store(1, Ordering::Relaxed);
        let data = &WRITABLE as *const AtomicU8 as usize;
        assert!(!within(data), "{data:#x} in {ranges:x?}");
        // Every byte read ahead is readable: this would crash otherwise.
        for (start, len) in ranges {
            super::touch(start, len);
        }
    }
}
