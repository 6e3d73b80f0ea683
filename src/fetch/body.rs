//! Gzip bodies: decompressed here, not by reqwest, against the feed's size limit.

use super::Error;

/// The size a gzip file's trailer claims for it (of its last member, modulo 4 GiB).
pub(super) fn gzip_claim(raw: &[u8]) -> Option<u64> {
    let at = raw.len().checked_sub(4)?;
    let b = raw.get(at..)?;
    Some(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// Decompresses a gzip body, every member of it, streaming against `max` so that a bomb stops
/// at the limit. Done here rather than by reqwest so that a body gzipped without saying so is
/// read the same way, and a broken one is named as such.
pub(super) fn gunzip(raw: &[u8], max: u64) -> Result<Vec<u8>, Error> {
    // Sized from the trailer's claim, which may lie but never past `max`.
    let mut out = Vec::with_capacity(gzip_claim(raw).unwrap_or(0).min(max) as usize);
    let mut stream = std::io::Read::take(flate2::read::MultiGzDecoder::new(raw), max + 1);
    std::io::Read::read_to_end(&mut stream, &mut out).map_err(Error::Gzip)?;
    if out.len() as u64 > max {
        return Err(Error::TooLarge { limit: max });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gunzip_takes_one_member_or_many_and_stops_at_the_limit() {
        let text = b"<rss>hello</rss>".repeat(100);
        assert_eq!(gunzip(&gz(&text), 1 << 20).unwrap(), text);
        let mut two = gz(&text[..700]);
        two.extend(gz(&text[700..]));
        assert_eq!(gunzip(&two, 1 << 20).unwrap(), text);
        assert!(matches!(
            gunzip(&gz(&text), 1000),
            Err(Error::TooLarge { limit: 1000 })
        ));
        // A trailer that claims less than the body holds: still stopped at the limit.
        let mut liar = gz(&text);
        let n = liar.len();
        liar[n - 4..].copy_from_slice(&10u32.to_le_bytes());
        assert!(matches!(
            gunzip(&liar, 1000),
            Err(Error::TooLarge { limit: 1000 })
        ));
        let mut broken = gz(&text);
        let middle = broken.len() / 2;
        broken[middle] ^= 0xff;
        assert!(matches!(gunzip(&broken, 1 << 20), Err(Error::Gzip(_))));
    }
}
