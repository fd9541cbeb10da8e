//! No panic crosses into C: the host's `catch_unwind` boundary, the
//! bare-metal `#[panic_handler]` with its C hook, and the bare-metal
//! `#[global_allocator]` that forwards to C `malloc`/`free`.

use core::ffi::c_char;
use core::sync::atomic::{AtomicPtr, Ordering};

/// A function exp-rs calls when it panics (a bug in exp-rs): the source
/// file (not NUL-terminated: `file_len` bytes; NULL when unknown) and line.
///
/// On bare metal the hook should not return (reset, log and halt, or enter
/// a fault handler); if it does, exp-rs spins forever. On hosts the hook is
/// called without a location and the entry point then returns
/// `EXP_RS_STATUS_PANIC`.
pub type exp_rs_panic_hook =
    Option<unsafe extern "C" fn(file: *const c_char, file_len: usize, line: u32)>;

/// The hook, as a data pointer (an atomic, not a `static mut`); null = none.
static HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Sets (or, with NULL, clears) the function called when exp-rs panics;
/// see `exp_rs_panic_hook`. Without a hook a bare-metal panic spins forever
/// (let a watchdog reset the chip). Global; no allocation.
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_set_panic_hook(hook: exp_rs_panic_hook) {
    let raw = hook.map_or(core::ptr::null_mut(), |f| f as *mut ());
    HOOK.store(raw, Ordering::SeqCst);
}

/// Calls the C panic hook, if one is set.
pub(crate) fn call_panic_hook(file: &str, line: u32) {
    let raw = HOOK.load(Ordering::SeqCst);
    if raw.is_null() {
        return;
    }
    type Hook = unsafe extern "C" fn(*const c_char, usize, u32);
    // SAFETY: HOOK only ever holds null or a `Hook` stored by
    // `exp_rs_set_panic_hook`; function and data pointers have the same
    // size on every target we build for.
    let hook = unsafe { core::mem::transmute::<*mut (), Hook>(raw) };
    let file_ptr = if file.is_empty() {
        core::ptr::null()
    } else {
        file.as_ptr().cast()
    };
    // SAFETY: a C function with the documented signature; the pointer and
    // length describe `file`.
    unsafe { hook(file_ptr, file.len(), line) };
}

/// Runs one entry point; on hosts a panic inside becomes `on_panic` (after
/// the C hook ran) instead of unwinding into C.
#[cfg(not(target_os = "none"))]
pub(crate) fn boundary<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            call_panic_hook("", 0);
            on_panic
        }
    }
}

/// Runs one entry point. On bare metal a panic never returns (see the
/// panic handler), so there is nothing to catch.
#[cfg(target_os = "none")]
pub(crate) fn boundary<T>(_on_panic: T, f: impl FnOnce() -> T) -> T {
    f()
}

/// Panics on purpose, to prove the panic boundary: returns
/// `EXP_RS_STATUS_PANIC` on hosts. Only in builds with the `test-panic`
/// feature; not in the header.
#[cfg(feature = "test-panic")]
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_test_panic() -> crate::status::exp_rs_status {
    boundary(crate::status::exp_rs_status::Panic, || {
        // Opaque to the optimizer, so the panic is not compiled away.
        if core::hint::black_box(true) {
            panic!("exp_rs_test_panic: a deliberate panic");
        }
        crate::status::exp_rs_status::Ok
    })
}

/// How many results of this build's `sqrt`, `floor`, `ceil`, `trunc` and
/// `round` (the FPU's `VSQRT` and `VRINT` with the `arm-vsqrt` feature)
/// differ from `libm`'s, over `n` rounds of pseudo-random inputs in both
/// precisions (must be 0). Only in builds with the `test-panic` feature; not in
/// the header.
#[cfg(feature = "test-panic")]
#[unsafe(no_mangle)]
pub extern "C" fn exp_rs_test_fpu_mismatches(n: u32) -> u32 {
    exp_rs::fpu_mismatches(n)
}

/// The bare-metal runtime: panic handler and global allocator.
#[cfg(all(target_os = "none", feature = "runtime"))]
mod runtime {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ffi::c_void;

    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
        match info.location() {
            Some(l) => super::call_panic_hook(l.file(), l.line()),
            None => super::call_panic_hook("", 0),
        }
        loop {
            core::hint::spin_loop();
        }
    }

    unsafe extern "C" {
        fn malloc(size: usize) -> *mut c_void;
        fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
        fn free(ptr: *mut c_void);
    }

    /// The alignment C `malloc` guarantees on ARM EABI (8; newlib's too).
    const MALLOC_ALIGN: usize = 8;
    const WORD: usize = core::mem::size_of::<usize>();

    /// Forwards every Rust allocation to the firmware's `malloc`/`free`, so
    /// the firmware can count and bound every byte. Alignments above 8 (the
    /// arena's chunks use 16) over-allocate and keep the `malloc` pointer in
    /// the word before the block.
    struct CAlloc;

    // SAFETY: blocks come from malloc and go back to free; over-aligned
    // blocks keep their malloc pointer just before the aligned address, and
    // the same layout (hence the same path) is used to free them.
    unsafe impl GlobalAlloc for CAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if layout.align() <= MALLOC_ALIGN {
                // SAFETY: plain malloc of a non-zero size.
                return unsafe { malloc(layout.size()) }.cast();
            }
            let Some(total) = layout
                .size()
                .checked_add(layout.align())
                .and_then(|t| t.checked_add(WORD))
            else {
                return core::ptr::null_mut();
            };
            // SAFETY: plain malloc.
            let raw = unsafe { malloc(total) }.cast::<u8>();
            if raw.is_null() {
                return raw;
            }
            let addr = raw as usize + WORD;
            let aligned = (addr + layout.align() - 1) & !(layout.align() - 1);
            let offset = aligned - raw as usize;
            // SAFETY: `offset + size <= total` (offset < WORD + align), and
            // the word before `aligned` is inside the block (offset >= WORD).
            unsafe {
                let p = raw.add(offset);
                p.cast::<*mut u8>().sub(1).write_unaligned(raw);
                p
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if layout.align() <= MALLOC_ALIGN {
                // SAFETY: `ptr` came from malloc (same layout, same path).
                unsafe { free(ptr.cast()) };
            } else {
                // SAFETY: `alloc` stored the malloc pointer in the word before.
                unsafe { free(ptr.cast::<*mut u8>().sub(1).read_unaligned().cast()) };
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if layout.align() <= MALLOC_ALIGN {
                // SAFETY: `ptr` came from malloc; realloc keeps malloc's
                // alignment, which is enough for this layout.
                return unsafe { realloc(ptr.cast(), new_size) }.cast();
            }
            // SAFETY: the caller upholds GlobalAlloc::realloc's contract.
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return core::ptr::null_mut();
            };
            // SAFETY: non-zero size, as GlobalAlloc::realloc requires.
            let new = unsafe { self.alloc(new_layout) };
            if !new.is_null() {
                // SAFETY: both blocks hold at least min(old, new) bytes and
                // do not overlap; the old one is freed with its layout.
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        }
    }

    #[global_allocator]
    static ALLOCATOR: CAlloc = CAlloc;
}
