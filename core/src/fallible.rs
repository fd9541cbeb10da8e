//! Heap allocation that reports failure instead of aborting.
//!
//! `alloc`'s `Arc`, `Box`, `String` and `Vec` call `handle_alloc_error`
//! when the global allocator returns null: the process aborts (hosts) or
//! the panic handler runs (bare metal). A firmware whose `malloc` runs dry
//! during set-up needs an error it can handle instead, so the `try_`
//! methods of [`Context`](crate::Context) and [`Batch`](crate::Batch), and
//! through them the C door (which makes its handles with [`try_box`]),
//! allocate only through this module:
//! `Shared` (a reference count that is built fallibly), [`try_box`],
//! strings filled by [`try_push_str`] and vectors by [`try_push`],
//! `try_fill` and `try_insert`:
//! these link no growth path that could abort (`Vec::push` after
//! `try_reserve` still does), so an image has no way left to reach
//! `handle_alloc_error`.
#![allow(unsafe_code)]

use alloc::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
#[cfg(not(target_has_atomic = "ptr"))]
use core::cell::Cell;
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::{self, NonNull};

/// The global allocator could not provide the memory an operation needed;
/// nothing was changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AllocError;

impl core::fmt::Display for AllocError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("out of memory")
    }
}

impl core::error::Error for AllocError {}

/// For the infallible methods: what `alloc`'s own types do when the
/// allocator fails.
#[cold]
pub(crate) fn abort_on_oom() -> ! {
    handle_alloc_error(Layout::new::<usize>())
}

/// `Box::new` that returns [`AllocError`] instead of aborting (for the
/// doors' handles).
pub fn try_box<T>(value: T) -> Result<Box<T>, AllocError> {
    let layout = Layout::new::<T>();
    if layout.size() == 0 {
        return Ok(Box::new(value));
    }
    // SAFETY: a non-zero size.
    let raw = unsafe { alloc(layout) }.cast::<T>();
    if raw.is_null() {
        return Err(AllocError);
    }
    // SAFETY: `raw` is a fresh block with `T`'s layout, which is what
    // `Box<T>` frees with.
    unsafe {
        raw.write(value);
        Ok(Box::from_raw(raw))
    }
}

/// A copy of `s` on the heap, or the error.
pub(crate) fn try_string(s: &str) -> Result<String, AllocError> {
    let mut out = String::new();
    try_push_str(&mut out, s)?;
    Ok(out)
}

/// `out.push_str(s)`, or [`AllocError`] with `out` unchanged (for the
/// doors' message texts). Links no growth path that could abort.
pub fn try_push_str(out: &mut String, s: &str) -> Result<(), AllocError> {
    out.try_reserve(s.len()).map_err(|_| AllocError)?;
    let len = out.len();
    // SAFETY: room for `s.len()` more bytes was reserved; they are copied
    // from a `str` after a `str`, so the string stays UTF-8.
    unsafe {
        let bytes = out.as_mut_vec();
        ptr::copy_nonoverlapping(s.as_ptr(), bytes.as_mut_ptr().add(len), s.len());
        bytes.set_len(len + s.len());
    }
    Ok(())
}

/// `v.push(x)` into room reserved before (`try_reserve`): without room,
/// `x` is dropped and [`AllocError`] returned. No growth path (and so no
/// abort path) is linked, unlike `Vec::push`.
#[inline]
fn push_reserved<T>(v: &mut Vec<T>, x: T) -> Result<(), AllocError> {
    let len = v.len();
    let slot = v.spare_capacity_mut().first_mut().ok_or(AllocError)?;
    slot.write(x);
    // SAFETY: the slot at `len` is inside the capacity and now written.
    unsafe { v.set_len(len + 1) };
    Ok(())
}

/// `v.push(x)`, or [`AllocError`] with `v` unchanged (for the doors'
/// lists).
pub fn try_push<T>(v: &mut Vec<T>, x: T) -> Result<(), AllocError> {
    v.try_reserve(1).map_err(|_| AllocError)?;
    push_reserved(v, x)
}

/// `v.resize(len, value)` (growing only), or [`AllocError`] with `v`
/// unchanged.
pub(crate) fn try_fill<T: Clone>(v: &mut Vec<T>, len: usize, value: T) -> Result<(), AllocError> {
    v.try_reserve(len.saturating_sub(v.len()))
        .map_err(|_| AllocError)?;
    while v.len() < len {
        push_reserved(v, value.clone())?;
    }
    Ok(())
}

/// `v.insert(i, x)` (`i <= v.len()`), or [`AllocError`] with `v` unchanged.
pub(crate) fn try_insert<T>(v: &mut Vec<T>, i: usize, x: T) -> Result<(), AllocError> {
    try_push(v, x)?;
    // Moved from the end into place (as `Vec::insert` does, without its
    // panic paths).
    let last = v.len() - 1;
    let i = i.min(last);
    // SAFETY: `i <= last < len`: the element at `last` is read out, the
    // `last - i` elements from `i` move up by one (inside the vector), and
    // the hole at `i` takes the element read.
    unsafe {
        let p = v.as_mut_ptr();
        let x = ptr::read(p.add(last));
        ptr::copy(p.add(i), p.add(i + 1), last - i);
        ptr::write(p.add(i), x);
    }
    Ok(())
}

/// The count of a [`Shared`]: atomic where the target has atomics, as
/// `Arc`'s is, because the C door lets several threads read (and so clone)
/// one context at once; a plain cell on targets without them (their C
/// users have one thread).
#[cfg(target_has_atomic = "ptr")]
type Count = core::sync::atomic::AtomicUsize;
#[cfg(not(target_has_atomic = "ptr"))]
type Count = Cell<usize>;

/// The count's operations, for either kind of count.
trait Counter {
    fn one() -> Self;
    /// One more, unless the count is at its maximum (then it stays there).
    fn increment(&self);
    /// One fewer; true if that was the last (then the block may go). A
    /// count at its maximum stays there and never frees.
    fn decrement(&self) -> bool;
    /// True if this is the only pointer.
    fn is_unique(&self) -> bool;
}

#[cfg(target_has_atomic = "ptr")]
impl Counter for Count {
    fn one() -> Self {
        Count::new(1)
    }
    fn increment(&self) {
        use core::sync::atomic::Ordering::Relaxed;
        // As `Arc::clone`: a new pointer comes from an existing one, so no
        // ordering is needed.
        let _ = self.fetch_update(Relaxed, Relaxed, |n| n.checked_add(1));
    }
    fn decrement(&self) -> bool {
        use core::sync::atomic::{Ordering, fence};
        if self.load(Ordering::Relaxed) == usize::MAX {
            return false;
        }
        // As `Arc::drop`: release our uses, and the last one acquires
        // everyone's before the value is dropped.
        if self.fetch_sub(1, Ordering::Release) != 1 {
            return false;
        }
        fence(Ordering::Acquire);
        true
    }
    fn is_unique(&self) -> bool {
        self.load(core::sync::atomic::Ordering::Acquire) == 1
    }
}

#[cfg(not(target_has_atomic = "ptr"))]
impl Counter for Count {
    fn one() -> Self {
        Cell::new(1)
    }
    fn increment(&self) {
        self.set(self.get().saturating_add(1));
    }
    fn decrement(&self) -> bool {
        match self.get() {
            usize::MAX => false,
            1 => true,
            n => {
                self.set(n - 1);
                false
            }
        }
    }
    fn is_unique(&self) -> bool {
        self.get() == 1
    }
}

/// The count and the value of a [`Shared`], in one block.
#[repr(C)]
struct Inner<T: ?Sized> {
    count: Count,
    value: T,
}

/// A reference-counted pointer (like `Arc`, its count atomic where the
/// target allows) whose constructors return [`AllocError`] instead of
/// aborting. Contexts share their tables, natives, arrays and definitions
/// with their clones and with the programs compiled from them through it.
/// Neither `Send` nor `Sync` in Rust (the values it holds need not be);
/// the C door's threads read a context only as its docs allow.
pub(crate) struct Shared<T: ?Sized> {
    ptr: NonNull<Inner<T>>,
    _owns: PhantomData<Inner<T>>,
}

/// Allocates a block for an `Inner` with a `value` of layout `value`;
/// returns it with the count set to 1.
fn allocate_inner(value: Layout) -> Result<NonNull<u8>, AllocError> {
    let (layout, _) = Layout::new::<Count>()
        .extend(value)
        .map_err(|_| AllocError)?;
    let layout = layout.pad_to_align();
    // SAFETY: never zero-sized: it holds the count.
    let raw = NonNull::new(unsafe { alloc(layout) }).ok_or(AllocError)?;
    // SAFETY: the block starts with the count (`repr(C)`).
    unsafe { raw.cast::<Count>().write(Count::one()) };
    Ok(raw)
}

impl<T> Shared<T> {
    /// `value` behind a new count of 1.
    pub(crate) fn try_new(value: T) -> Result<Shared<T>, AllocError> {
        let raw = allocate_inner(Layout::new::<T>())?.cast::<Inner<T>>();
        // SAFETY: a fresh block with `Inner<T>`'s layout, count written.
        unsafe { ptr::addr_of_mut!((*raw.as_ptr()).value).write(value) };
        Ok(Shared {
            ptr: raw,
            _owns: PhantomData,
        })
    }
}

impl<T: Copy> Shared<[T]> {
    /// A copy of `items` behind a new count of 1.
    pub(crate) fn try_from_slice(items: &[T]) -> Result<Shared<[T]>, AllocError> {
        let array = Layout::array::<T>(items.len()).map_err(|_| AllocError)?;
        let raw = allocate_inner(array)?;
        let fat =
            ptr::slice_from_raw_parts_mut(raw.as_ptr().cast::<T>(), items.len()) as *mut Inner<[T]>;
        // SAFETY: the block has room for the count and `items.len()`
        // elements after it (`allocate_inner` used the same layouts as
        // `Inner<[T]>`); the elements are `Copy`.
        unsafe {
            let dst = ptr::addr_of_mut!((*fat).value).cast::<T>();
            ptr::copy_nonoverlapping(items.as_ptr(), dst, items.len());
            Ok(Shared {
                ptr: NonNull::new_unchecked(fat),
                _owns: PhantomData,
            })
        }
    }
}

impl Shared<str> {
    /// A copy of `s` behind a new count of 1.
    pub(crate) fn try_from_str(s: &str) -> Result<Shared<str>, AllocError> {
        let bytes = Shared::<[u8]>::try_from_slice(s.as_bytes())?;
        let raw = bytes.ptr.as_ptr() as *mut Inner<str>;
        core::mem::forget(bytes);
        // SAFETY: `str` and `[u8]` have the same layout and metadata, and
        // the bytes are valid UTF-8 (copied from a `str`).
        Ok(Shared {
            ptr: unsafe { NonNull::new_unchecked(raw) },
            _owns: PhantomData,
        })
    }
}

impl<T: ?Sized> Shared<T> {
    fn inner(&self) -> &Inner<T> {
        // SAFETY: the block lives while any `Shared` of it does.
        unsafe { self.ptr.as_ref() }
    }

    /// The value, mutable, if no other `Shared` points to it.
    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        if self.inner().count.is_unique() {
            // SAFETY: this is the only pointer to the block.
            Some(unsafe { &mut (*self.ptr.as_ptr()).value })
        } else {
            None
        }
    }
}

impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Self {
        // A count that would overflow is left at its maximum: the block is
        // then never freed (a leak, never a use after free).
        self.inner().count.increment();
        Shared {
            ptr: self.ptr,
            _owns: PhantomData,
        }
    }
}

impl<T: ?Sized> Drop for Shared<T> {
    fn drop(&mut self) {
        if self.inner().count.decrement() {
            // SAFETY: the last pointer: drop the value, then free the block
            // with the layout it was allocated with.
            unsafe {
                let layout = Layout::for_value(self.ptr.as_ref());
                ptr::drop_in_place(self.ptr.as_ptr());
                dealloc(self.ptr.as_ptr().cast(), layout);
            }
        }
    }
}

impl<T: ?Sized> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner().value
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloc::rc::Rc;

    #[test]
    fn shared_counts_and_frees_once() {
        let probe = Rc::new(());
        let a = Shared::try_new(Rc::clone(&probe)).unwrap();
        let mut b = a.clone();
        assert!(b.get_mut().is_none());
        assert_eq!(Rc::strong_count(&probe), 2);
        drop(a);
        assert!(b.get_mut().is_some());
        drop(b);
        assert_eq!(Rc::strong_count(&probe), 1);
    }

    #[test]
    fn shared_slices_and_strs_keep_their_contents() {
        let s = Shared::try_from_slice(&[1.5f64, -2.0, 3.25]).unwrap();
        assert_eq!(&s[..], &[1.5, -2.0, 3.25]);
        let empty = Shared::<[f32]>::try_from_slice(&[]).unwrap();
        assert!(empty.is_empty());
        let t = Shared::try_from_str("hyp(a, b) = sqrt(a^2 + b^2)").unwrap();
        let u = t.clone();
        drop(t);
        assert_eq!(&*u, "hyp(a, b) = sqrt(a^2 + b^2)");
        let z = Shared::try_new(()).unwrap();
        drop(z.clone());
    }

    #[test]
    fn vectors_and_strings_fill_in_order() {
        let mut v = alloc::vec![Rc::new(1), Rc::new(3)];
        try_insert(&mut v, 1, Rc::new(2)).unwrap();
        try_insert(&mut v, 0, Rc::new(0)).unwrap();
        try_insert(&mut v, 4, Rc::new(4)).unwrap();
        try_insert(&mut v, 99, Rc::new(5)).unwrap();
        let got: Vec<i32> = v.iter().map(|r| **r).collect();
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
        try_fill(&mut v, 8, Rc::new(6)).unwrap();
        try_fill(&mut v, 2, Rc::new(7)).unwrap();
        assert_eq!(v.len(), 8);
        assert_eq!(*v[7], 6);
        let mut s = try_string("ab").unwrap();
        try_push_str(&mut s, "ç€").unwrap();
        assert_eq!(s, "abç€");
    }

    #[test]
    fn try_box_holds_zero_sized_and_sized_values() {
        let f = try_box(|x: f64| x * 2.0).unwrap();
        assert_eq!(f(2.0), 4.0);
        let k = 3.0;
        let g: Box<dyn Fn(f64) -> f64> = try_box(move |x: f64| x * k).unwrap();
        assert_eq!(g(2.0), 6.0);
    }
}
