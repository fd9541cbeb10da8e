//! C strings in, text out into caller buffers.

use core::ffi::{CStr, c_char};

use crate::status::exp_rs_status;

/// Borrows a NUL-terminated UTF-8 C string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
pub(crate) unsafe fn c_str<'a>(p: *const c_char) -> Result<&'a str, exp_rs_status> {
    if p.is_null() {
        return Err(exp_rs_status::NullPointer);
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string
    // valid for 'a.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str().map_err(|_| exp_rs_status::InvalidUtf8)
}

/// Borrows `n` values at `p`; `p` may be NULL only when `n` is 0.
///
/// # Safety
/// `p` is NULL or points to `n` initialised values valid for `'a`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, n: usize) -> Result<&'a [T], exp_rs_status> {
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(exp_rs_status::NullPointer);
    }
    if n > isize::MAX as usize / core::mem::size_of::<T>().max(1) {
        return Err(exp_rs_status::InvalidArgument);
    }
    // SAFETY: non-NULL, size checked against isize::MAX, and the caller
    // promises `n` initialised values.
    Ok(unsafe { core::slice::from_raw_parts(p, n) })
}

/// Borrows a C name that must be an identifier (`exp_rs::is_identifier`):
/// anything else is `INVALID_NAME`.
///
/// # Safety
/// As `c_str`.
pub(crate) unsafe fn name<'a>(p: *const c_char) -> Result<&'a str, exp_rs_status> {
    // SAFETY: forwarded.
    let s = unsafe { c_str(p) }?;
    if exp_rs::is_identifier(s) {
        Ok(s)
    } else {
        Err(exp_rs_status::InvalidName)
    }
}

/// A writer into a caller's byte buffer that keeps room for the NUL,
/// truncates on a UTF-8 character boundary, and counts the full length.
/// Plain `push_str`, not `fmt::Write`: the C door links no `core::fmt`.
pub(crate) struct BufWriter<'b> {
    buf: &'b mut [u8],
    written: usize,
    needed: usize,
    truncated: bool,
}

impl<'b> BufWriter<'b> {
    /// A writer over `buf` (which may be empty).
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        BufWriter {
            buf,
            written: 0,
            needed: 0,
            truncated: false,
        }
    }

    /// Writes the NUL (when the buffer has any room) and returns the status
    /// (`Ok` or `BufferTooSmall`) and the size needed including the NUL.
    pub(crate) fn finish(self) -> (exp_rs_status, usize) {
        if let Some(slot) = self.buf.get_mut(self.written) {
            *slot = 0;
        }
        let needed = self.needed.saturating_add(1);
        if self.truncated || self.buf.is_empty() {
            (exp_rs_status::BufferTooSmall, needed)
        } else {
            (exp_rs_status::Ok, needed)
        }
    }
}

impl BufWriter<'_> {
    /// Appends `s` (as much as fits; the rest is counted in `needed`).
    pub(crate) fn push_str(&mut self, s: &str) {
        self.needed = self.needed.saturating_add(s.len());
        if self.truncated {
            return;
        }
        // Room for text, keeping one byte for the NUL.
        let room = self.buf.len().saturating_sub(1 + self.written);
        let take = if s.len() <= room {
            s.len()
        } else {
            self.truncated = true;
            let mut cut = room;
            while cut > 0 && !s.is_char_boundary(cut) {
                cut -= 1;
            }
            cut
        };
        let src = s.as_bytes().get(..take).unwrap_or(&[]);
        if let Some(dst) = self.buf.get_mut(self.written..self.written + src.len()) {
            // Byte by byte (a memcpy once optimised): `copy_from_slice`'s
            // length check is a formatted panic path on the firmware.
            for (d, &b) in dst.iter_mut().zip(src) {
                *d = b;
            }
            self.written += src.len();
        }
    }
}

/// Writes `f` into the caller's buffer `(buf, len)` and the size it needs
/// (including the NUL) into `needed` (if not NULL). `buf` may be NULL only
/// when `len` is 0 (a size query).
///
/// # Safety
/// `buf` is NULL or valid for `len` writable bytes; `needed` is NULL or
/// valid for one write.
pub(crate) unsafe fn write_text(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    f: impl FnOnce(&mut BufWriter<'_>),
) -> exp_rs_status {
    if buf.is_null() && len != 0 {
        return exp_rs_status::NullPointer;
    }
    let bytes: &mut [u8] = if len == 0 {
        &mut []
    } else {
        // SAFETY: non-NULL and valid for `len` bytes, as the caller promises.
        unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), len) }
    };
    let mut w = BufWriter::new(bytes);
    f(&mut w);
    let (status, size) = w.finish();
    if !needed.is_null() {
        // SAFETY: non-NULL, valid for one write as the caller promises.
        unsafe { needed.write(size) };
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(cap: usize, parts: &[&str]) -> (exp_rs_status, usize, std::vec::Vec<u8>) {
        let mut buf = std::vec![0xAAu8; cap];
        let mut w = BufWriter::new(&mut buf);
        for p in parts {
            w.push_str(p);
        }
        let (s, n) = w.finish();
        (s, n, buf)
    }

    #[test]
    fn fits_and_truncates_on_char_boundaries() {
        let (s, n, buf) = render(8, &["abc", "de"]);
        assert_eq!((s, n), (exp_rs_status::Ok, 6));
        assert_eq!(&buf[..6], b"abcde\0");
        // "aé" is 3 bytes; with 3 bytes of room (4 - NUL) "aéb" does not
        // fit, and the cut must not split é.
        let (s, n, buf) = render(3, &["aé", "b"]);
        assert_eq!((s, n), (exp_rs_status::BufferTooSmall, 5));
        assert_eq!(&buf[..2], b"a\0");
        let (s, n, _) = render(0, &["xyz"]);
        assert_eq!((s, n), (exp_rs_status::BufferTooSmall, 4));
        let (s, _, buf) = render(1, &[""]);
        assert_eq!(s, exp_rs_status::Ok);
        assert_eq!(buf[0], 0);
    }
}
