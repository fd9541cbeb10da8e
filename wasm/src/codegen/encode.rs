//! The WebAssembly binary format, as far as the code generator needs it:
//! LEB128 numbers, sections, and the few opcodes it emits.

/// Value types.
pub(super) const I32: u8 = 0x7F;
pub(super) const I64: u8 = 0x7E;
pub(super) const F64: u8 = 0x7C;

/// Opcodes (single byte unless noted).
pub(super) mod op {
    pub const BLOCK: u8 = 0x02;
    pub const LOOP: u8 = 0x03;
    pub const IF: u8 = 0x04;
    pub const END: u8 = 0x0B;
    pub const BR: u8 = 0x0C;
    pub const BR_IF: u8 = 0x0D;
    pub const RETURN: u8 = 0x0F;
    pub const CALL: u8 = 0x10;
    pub const SELECT: u8 = 0x1B;
    pub const LOCAL_GET: u8 = 0x20;
    pub const LOCAL_SET: u8 = 0x21;
    pub const LOCAL_TEE: u8 = 0x22;
    pub const GLOBAL_GET: u8 = 0x23;
    pub const GLOBAL_SET: u8 = 0x24;
    pub const F64_LOAD: u8 = 0x2B;
    pub const F64_STORE: u8 = 0x39;
    pub const I32_CONST: u8 = 0x41;
    pub const I64_CONST: u8 = 0x42;
    pub const F64_CONST: u8 = 0x44;
    pub const I32_EQZ: u8 = 0x45;
    pub const I32_LT_U: u8 = 0x49;
    pub const I32_GT_U: u8 = 0x4B;
    pub const I32_GE_U: u8 = 0x4F;
    pub const I64_LT_S: u8 = 0x53;
    pub const F64_EQ: u8 = 0x61;
    pub const F64_NE: u8 = 0x62;
    pub const F64_LT: u8 = 0x63;
    pub const F64_GT: u8 = 0x64;
    pub const F64_LE: u8 = 0x65;
    pub const F64_GE: u8 = 0x66;
    pub const I32_ADD: u8 = 0x6A;
    pub const I32_SUB: u8 = 0x6B;
    pub const I32_AND: u8 = 0x71;
    pub const I32_OR: u8 = 0x72;
    pub const I32_SHL: u8 = 0x74;
    pub const I32_SHR_U: u8 = 0x76;
    pub const I64_SUB: u8 = 0x7D;
    pub const F64_NEG: u8 = 0x9A;
    pub const F64_TRUNC: u8 = 0x9D;
    pub const F64_ADD: u8 = 0xA0;
    pub const F64_SUB: u8 = 0xA1;
    pub const F64_MUL: u8 = 0xA2;
    pub const F64_DIV: u8 = 0xA3;
    pub const F64_CONVERT_I32_U: u8 = 0xB8;
    /// Prefix of the saturating conversions; `i32.trunc_sat_f64_u` is
    /// `0xFC 3`.
    pub const PREFIX_FC: u8 = 0xFC;
    pub const TRUNC_SAT_F64_U: u32 = 3;
    /// Prefix of the SIMD instructions (`codegen::simd`).
    pub const PREFIX_FD: u8 = 0xFD;
}

/// A growing byte buffer with the format's number encodings.
///
/// The writers are never inlined: the generator calls them a few hundred
/// times, and inlined copies cost the npm `.wasm` kilobytes (it has a size
/// budget) for no measurable speed (a module is generated in microseconds).
#[derive(Default)]
pub(super) struct Bytes(pub(super) Vec<u8>);

impl Bytes {
    /// One byte.
    #[inline(never)]
    pub(super) fn byte(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }

    /// Unsigned LEB128.
    #[inline(never)]
    pub(super) fn u32(&mut self, mut v: u32) -> &mut Self {
        loop {
            let low = (v & 0x7F) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(low);
                return self;
            }
            self.0.push(low | 0x80);
        }
    }

    /// Signed LEB128 (`i32.const`, `i64.const` immediates).
    #[inline(never)]
    pub(super) fn i64(&mut self, mut v: i64) -> &mut Self {
        loop {
            let low = (v & 0x7F) as u8;
            v >>= 7;
            let done = (v == 0 && low & 0x40 == 0) || (v == -1 && low & 0x40 != 0);
            if done {
                self.0.push(low);
                return self;
            }
            self.0.push(low | 0x80);
        }
    }

    /// An `f64.const` immediate: the value's bits, little-endian.
    #[inline(never)]
    pub(super) fn f64(&mut self, v: f64) -> &mut Self {
        self.0.extend_from_slice(&v.to_bits().to_le_bytes());
        self
    }

    /// A name: its length, then its UTF-8 bytes.
    pub(super) fn name(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// Raw bytes.
    pub(super) fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }

    /// A vector of already-encoded items: the count, then the items.
    pub(super) fn vec(&mut self, count: usize, items: &[u8]) -> &mut Self {
        self.u32(count as u32);
        self.raw(items)
    }

    /// Section `id` with `body` as its contents (skipped when `count` is 0).
    pub(super) fn section(&mut self, id: u8, count: usize, body: &[u8]) -> &mut Self {
        if count == 0 {
            return self;
        }
        let mut contents = Bytes::default();
        contents.vec(count, body);
        self.byte(id);
        self.u32(contents.0.len() as u32);
        self.raw(&contents.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32(v: u32) -> Vec<u8> {
        let mut b = Bytes::default();
        b.u32(v);
        b.0
    }

    fn i64(v: i64) -> Vec<u8> {
        let mut b = Bytes::default();
        b.i64(v);
        b.0
    }

    #[test]
    fn leb128_matches_the_spec_examples() {
        assert_eq!(u32(0), [0]);
        assert_eq!(u32(624_485), [0xE5, 0x8E, 0x26]);
        assert_eq!(u32(u32::MAX), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
        assert_eq!(i64(-123_456), [0xC0, 0xBB, 0x78]);
        assert_eq!(i64(63), [0x3F]);
        assert_eq!(i64(64), [0xC0, 0x00]);
        assert_eq!(i64(-1), [0x7F]);
        assert_eq!(i64(-65), [0xBF, 0x7F]);
    }
}
