//! Text kept in memory LZ4-compressed: rendered page bodies and cached math and code, which a
//! large site holds for every page at once (about 57 KB per page of mostly repetitive KaTeX
//! markup). Packing takes them to a fifth of that for well under a millisecond per page;
//! whoever reads one unpacks it.

/// A string held compressed. Equality compares the packed bytes, which are a pure function of
/// the text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Packed {
    bytes: Box<[u8]>,
    len: usize,
}

impl Packed {
    pub fn new(text: &str) -> Self {
        Self {
            bytes: lz4_flex::compress(text.as_bytes()).into_boxed_slice(),
            len: text.len(),
        }
    }

    /// The text of a value packed in this process ([`Packed::new`]), which cannot be damaged.
    pub fn unpack(&self) -> String {
        self.try_unpack()
            .expect("text packed in this process unpacks")
    }

    /// The text, or None when the bytes are damaged (a value read back from disk).
    pub fn try_unpack(&self) -> Option<String> {
        let bytes = lz4_flex::decompress(&self.bytes, self.len).ok()?;
        (bytes.len() == self.len).then_some(())?;
        String::from_utf8(bytes).ok()
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The compressed bytes and the text's length, to store.
    pub fn parts(&self) -> (&[u8], usize) {
        (&self.bytes, self.len)
    }

    /// Takes stored parts back as they are: checking them would mean unpacking every one, so
    /// they are read with [`Packed::try_unpack`].
    pub fn from_parts(bytes: Vec<u8>, len: usize) -> Self {
        Self {
            bytes: bytes.into_boxed_slice(),
            len,
        }
    }
}

impl From<String> for Packed {
    fn from(text: String) -> Self {
        Self::new(&text)
    }
}

impl std::fmt::Display for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.unpack())
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Packed").field(&self.unpack()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_text_and_shrinks_markup() {
        let html = "<span class=\"mord mathnormal\">x</span>".repeat(200) + "中文 θ";
        let packed = Packed::new(&html);
        assert_eq!(packed.unpack(), html);
        assert_eq!(packed.len(), html.len());
        assert!(
            packed.parts().0.len() * 10 < html.len(),
            "repetitive markup packs small"
        );
        assert!(Packed::new("").is_empty());
        assert_eq!(Packed::new("").unpack(), "");
    }

    #[test]
    fn damaged_parts_are_refused() {
        let packed = Packed::new("hello hello hello hello");
        let (bytes, len) = packed.parts();
        assert_eq!(Packed::from_parts(bytes.to_vec(), len), packed);
        assert_eq!(
            packed.try_unpack().as_deref(),
            Some("hello hello hello hello")
        );
        assert_eq!(
            Packed::from_parts(bytes.to_vec(), len + 1).try_unpack(),
            None
        );
        assert_eq!(Packed::from_parts(vec![0xff; 8], 4).try_unpack(), None);
        let not_utf8 = lz4_flex::compress(&[0xff, 0xfe]);
        assert_eq!(Packed::from_parts(not_utf8, 2).try_unpack(), None);
    }
}
