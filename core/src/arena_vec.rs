//! A growable vector in a bump arena whose growth code exists once.
//!
//! `bumpalo::collections::Vec` is generic over its element type down to
//! the reallocation, so every element type the parser, compiler and batch
//! keep in a list carried its own copy of the growth path (issue 14: about
//! seventeen copies on the M7). [`ArenaVec`] keeps only the bookkeeping
//! generic: a capacity check and a call to [`grow`], which takes the
//! element's size as a value (every buffer is aligned to [`ALIGN`]). The
//! arena behaves as with bumpalo's vector: the same capacities (doubling,
//! or exact), grown in place when the buffer is the arena's last
//! allocation; only the padding to [`ALIGN`] can differ.
//!
//! Growth never panics: a full arena, or a size past `isize::MAX`, is a
//! [`NoRoom`] that callers turn into `ArenaFull` with the span at hand.
//!
//! This module and fpu.rs are the crate's only `unsafe` code: a vector
//! over an arena buffer cannot be written without raw pointers. Each block
//! says why it holds; the tests below exercise growth, drop and overflow.
#![allow(unsafe_code)]

use core::alloc::Layout;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, align_of, size_of};
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};

use allocator_api2::alloc::Allocator;
use bumpalo::Bump;

/// The arena could not give the room a vector asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoRoom;

/// A vector whose buffer lives in a bump arena: bumpalo's vector without
/// the per-type growth code. Elements are dropped with it, unless it is
/// turned into an arena slice with [`ArenaVec::into_bump_slice`].
pub(crate) struct ArenaVec<'a, T> {
    arena: &'a Bump,
    raw: Raw,
    _owns: PhantomData<T>,
}

/// The untyped state of an [`ArenaVec`], which [`grow`] updates: buffer,
/// elements used, elements that fit.
struct Raw {
    ptr: NonNull<u8>,
    len: usize,
    cap: usize,
}

/// The alignment of every [`ArenaVec`] buffer: that of the most aligned
/// element type (`f64`, `u64`, pointers). One constant instead of the
/// element's own lets the arena's alignment arithmetic fold away in
/// [`grow`] (callgrind: 16 fewer instructions a call, 160 of the 3,581 it
/// took to compile `x * 2`), for up to 7 bytes of padding per allocation or
/// in-place growth of a buffer whose element size is not a multiple of 8.
const ALIGN: usize = 8;

/// Grows `raw`'s buffer of elements of `size` bytes to hold `additional`
/// more: to exactly that many with `exact`, else to at least twice the
/// capacity; the used elements move with it. The one growth path of every
/// [`ArenaVec`], hence not generic.
#[inline(never)]
fn grow(
    arena: &Bump,
    raw: &mut Raw,
    additional: usize,
    size: usize,
    exact: bool,
) -> Result<(), NoRoom> {
    let align = ALIGN;
    let Raw { ptr: buf, len, cap } = *raw;
    let required = len.checked_add(additional).ok_or(NoRoom)?;
    let new_cap = if exact {
        required
    } else {
        required.max(cap.saturating_mul(2))
    };
    let bytes = new_cap.checked_mul(size).ok_or(NoRoom)?;
    let new_layout = Layout::from_size_align(bytes, align).map_err(|_| NoRoom)?;
    let new_buf = if cap == 0 {
        arena.try_alloc_layout(new_layout).map_err(|_| NoRoom)?
    } else {
        // SAFETY: `buf` was allocated in `arena` with this old layout
        // (`cap * size` bytes fitted a `Layout` when it was made), and the
        // new layout is not smaller and has the same alignment.
        unsafe {
            let old_layout = Layout::from_size_align_unchecked(cap * size, align);
            arena
                .grow(buf, old_layout, new_layout)
                .map_err(|_| NoRoom)?
                .cast::<u8>()
        }
    };
    raw.ptr = new_buf;
    raw.cap = new_cap;
    Ok(())
}

impl<'a, T> ArenaVec<'a, T> {
    /// An empty vector; nothing is allocated until it grows.
    #[inline]
    pub(crate) fn new_in(arena: &'a Bump) -> Self {
        ArenaVec {
            arena,
            raw: Raw {
                ptr: NonNull::<T>::dangling().cast(),
                len: 0,
                cap: if size_of::<T>() == 0 { usize::MAX } else { 0 },
            },
            _owns: PhantomData,
        }
    }

    /// The buffer, typed.
    #[inline]
    fn ptr(&self) -> *mut T {
        self.raw.ptr.as_ptr().cast()
    }

    /// The number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.raw.len
    }

    /// How many elements fit before the vector grows.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.raw.cap
    }

    /// Makes room for `additional` more elements, at least doubling the
    /// capacity when it grows (amortised pushes).
    #[inline]
    pub(crate) fn try_reserve(&mut self, additional: usize) -> Result<(), NoRoom> {
        if self.raw.cap - self.raw.len >= additional {
            return Ok(());
        }
        self.grow_by(additional, false)
    }

    /// Makes room for exactly `additional` more elements.
    #[inline]
    pub(crate) fn try_reserve_exact(&mut self, additional: usize) -> Result<(), NoRoom> {
        if self.raw.cap - self.raw.len >= additional {
            return Ok(());
        }
        self.grow_by(additional, true)
    }

    /// The thin typed call into [`grow`].
    #[inline]
    fn grow_by(&mut self, additional: usize, exact: bool) -> Result<(), NoRoom> {
        const { assert!(align_of::<T>() <= ALIGN) };
        grow(self.arena, &mut self.raw, additional, size_of::<T>(), exact)
    }

    /// Appends `value`, growing when full.
    #[inline]
    pub(crate) fn try_push(&mut self, value: T) -> Result<(), NoRoom> {
        self.try_reserve(1)?;
        self.push(value);
        Ok(())
    }

    /// Appends `value` into room already reserved with
    /// [`ArenaVec::try_reserve`]. Without room (a caller's bug), the value
    /// is dropped rather than growing or panicking; debug builds assert.
    #[inline]
    pub(crate) fn push(&mut self, value: T) {
        debug_assert!(
            self.raw.len < self.raw.cap,
            "ArenaVec::push without reserved room"
        );
        if self.raw.len < self.raw.cap {
            // SAFETY: `len < cap`, so the slot is inside the buffer and
            // unused.
            unsafe { self.ptr().add(self.raw.len).write(value) };
            self.raw.len += 1;
        }
    }

    /// Appends a copy of every element of `items`, growing (exactly) when
    /// they do not fit.
    pub(crate) fn try_extend_from_slice(&mut self, items: &[T]) -> Result<(), NoRoom>
    where
        T: Copy,
    {
        self.try_reserve_exact(items.len())?;
        for &item in items {
            self.push(item);
        }
        Ok(())
    }

    /// Drops every element; the capacity stays.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.truncate(0);
    }

    /// Inserts `value` at `index` (at the end when past it), shifting the
    /// rest up, into room already reserved: [`ArenaVec::push`]'s contract.
    pub(crate) fn insert(&mut self, index: usize, value: T) {
        debug_assert!(
            self.raw.len < self.raw.cap,
            "ArenaVec::insert without reserved room"
        );
        if self.raw.len < self.raw.cap {
            let index = index.min(self.raw.len);
            // SAFETY: `index <= len < cap`: the move of `len - index`
            // elements up by one stays inside the buffer, and the freed
            // slot is written once.
            unsafe {
                let at = self.ptr().add(index);
                ptr::copy(at, at.add(1), self.raw.len - index);
                at.write(value);
            }
            self.raw.len += 1;
        }
    }

    /// Removes and returns the last element.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.raw.len == 0 {
            return None;
        }
        self.raw.len -= 1;
        // SAFETY: the slot at the old `len - 1` was initialised and is now
        // outside the vector: read once.
        Some(unsafe { self.ptr().add(self.raw.len).read() })
    }

    /// Drops the elements past the first `len`.
    #[inline]
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.raw.len {
            return;
        }
        if !core::mem::needs_drop::<T>() {
            self.raw.len = len;
            return;
        }
        let tail = ptr::slice_from_raw_parts_mut(
            // SAFETY: `len < self.raw.len`, inside the buffer.
            unsafe { self.ptr().add(len) },
            self.raw.len - len,
        );
        self.raw.len = len;
        // SAFETY: the tail was initialised and is no longer part of the
        // vector.
        unsafe { ptr::drop_in_place(tail) };
    }

    /// The elements as a slice that lives as long as the arena; they are
    /// not dropped (as with bumpalo's `into_bump_slice`).
    pub(crate) fn into_bump_slice(self) -> &'a [T] {
        self.into_bump_slice_mut()
    }

    /// [`ArenaVec::into_bump_slice`], mutable.
    pub(crate) fn into_bump_slice_mut(self) -> &'a mut [T] {
        let this = ManuallyDrop::new(self);
        // SAFETY: the buffer is the arena's and stays allocated as long as
        // it; `len` elements are initialised and now owned by the slice.
        unsafe { core::slice::from_raw_parts_mut(this.ptr(), this.raw.len) }
    }
}

impl<T> Deref for ArenaVec<'_, T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: `len` elements are initialised (a dangling, aligned
        // pointer with `len == 0` when nothing is allocated).
        unsafe { core::slice::from_raw_parts(self.ptr(), self.raw.len) }
    }
}

impl<T> DerefMut for ArenaVec<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, and `&mut self` is unique.
        unsafe { core::slice::from_raw_parts_mut(self.ptr(), self.raw.len) }
    }
}

impl<T> Drop for ArenaVec<'_, T> {
    fn drop(&mut self) {
        // The buffer stays in the arena (bump arenas free all at once);
        // the elements are dropped.
        self.truncate(0);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    extern crate std;
    use super::*;
    use std::rc::Rc;

    #[test]
    fn grows_like_bumpalo_and_keeps_order() {
        let arena = Bump::new();
        let mut v = ArenaVec::new_in(&arena);
        let mut b = bumpalo::collections::Vec::new_in(&arena);
        for i in 0..100u32 {
            v.try_push(i).unwrap();
            b.try_reserve(1).unwrap();
            b.push(i);
            assert_eq!(v.capacity(), b.capacity());
        }
        assert_eq!(&v[..], &b[..]);
        assert_eq!(v.pop(), Some(99));
        v.try_reserve(1).unwrap();
        v.insert(1, 1000);
        assert_eq!(&v[..4], &[0, 1000, 1, 2]);
        v.try_reserve(1).unwrap();
        v.insert(500, 7);
        assert_eq!(v.last(), Some(&7));
        assert_eq!(v.len(), 101);
        v.truncate(10);
        assert_eq!(v.into_bump_slice(), &[0, 1000, 1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn grows_in_place_as_the_last_allocation() {
        let arena = Bump::with_capacity(4096);
        let mut v = ArenaVec::<u64>::new_in(&arena);
        v.try_reserve_exact(4).unwrap();
        let before = arena.chunk_capacity();
        v.try_reserve_exact(8).unwrap();
        // Only the 4 added elements' bytes were taken (room for 8 in all).
        assert_eq!(before - arena.chunk_capacity(), 4 * 8);
        assert_eq!(v.capacity(), 8);
    }

    #[test]
    fn a_full_arena_is_no_room_not_a_panic() {
        let arena = Bump::new();
        arena.set_allocation_limit(Some(0));
        let mut v = ArenaVec::<u64>::new_in(&arena);
        assert_eq!(v.try_push(1), Err(NoRoom));
        assert_eq!(v.try_reserve_exact(usize::MAX), Err(NoRoom));
        assert_eq!(v.len(), 0);
    }

    #[test]
    fn drops_its_elements_but_not_a_slice() {
        let arena = Bump::new();
        let one = Rc::new(());
        {
            let mut v = ArenaVec::new_in(&arena);
            v.try_push(one.clone()).unwrap();
            v.try_push(one.clone()).unwrap();
            assert_eq!(Rc::strong_count(&one), 3);
            v.truncate(1);
            assert_eq!(Rc::strong_count(&one), 2);
        }
        assert_eq!(Rc::strong_count(&one), 1);
    }
}
