//! Full verification in bounded steps, around the core's [`Verifier`].

use crate::{Error, options};
use snapshot_core::{Level, ReadAt, Verifier};

/// A full-level verification: the quick phase runs in [`FullVerify::new`], the data pass in
/// [`FullVerify::step`], and [`FullVerify::report_json`] builds the report once.
#[derive(Debug)]
pub struct FullVerify {
    verifier: Option<Verifier>,
    finished: bool,
    report: Option<String>,
    sha256: Option<String>,
}

impl FullVerify {
    /// Runs the quick phase with the options JSON (see [`options::parse`]) at level full.
    pub fn new(src: &dyn ReadAt, options_json: &str) -> Result<FullVerify, Error> {
        let opts = options::parse(options_json, Level::Full)?;
        let verifier = Verifier::new(src, opts)?;
        Ok(FullVerify { verifier: Some(verifier), finished: false, report: None, sha256: None })
    }

    /// Advances the data pass by about `budget` bytes of compressed input. Returns `true` when
    /// the pass is complete.
    pub fn step(&mut self, src: &dyn ReadAt, budget: u64) -> Result<bool, Error> {
        if self.finished {
            return Ok(true);
        }
        let verifier = self.verifier.as_mut().ok_or(Error::State("the report was already built"))?;
        self.finished = verifier.step(src, budget.max(1))?;
        Ok(self.finished)
    }

    /// `(done, total)` compressed bytes of the data pass.
    pub fn progress(&self) -> (u64, u64) {
        match &self.verifier {
            Some(v) => v.progress(),
            None => (1, 1),
        }
    }

    /// Records the whole-file SHA-256 (computed by another worker) for the report.
    pub fn set_sha256(&mut self, hex: &str) {
        self.sha256 = Some(hex.to_ascii_lowercase());
    }

    /// The full report as pretty JSON. Valid only once [`FullVerify::step`] returned `true`;
    /// later calls return the same text.
    pub fn report_json(&mut self, src: &dyn ReadAt) -> Result<String, Error> {
        if let Some(json) = &self.report {
            return Ok(json.clone());
        }
        if !self.finished {
            return Err(Error::State("the data pass has not finished; call step() until it returns true"));
        }
        let verifier = self.verifier.take().ok_or(Error::State("the report was already built"))?;
        let json = finish_json(verifier, self.sha256.take(), src)?;
        self.report = Some(json.clone());
        Ok(json)
    }
}

/// The end of a full verification, for one worker or the pool's planner: the report, with the
/// whole-file SHA-256 when one was computed, as JSON.
pub(crate) fn finish_json(verifier: Verifier, sha256: Option<String>, src: &dyn ReadAt) -> Result<String, Error> {
    let mut report = verifier.finish(src);
    if let Some(hex) = sha256 {
        report.set_sha256(hex);
    }
    Ok(report.to_json()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small stored ZIP with one entry, written by hand so the test needs no fixtures.
    fn tiny_zip(data: &[u8]) -> Vec<u8> {
        let name = b"metadata.json";
        let crc = crc(data);
        let mut z = Vec::new();
        let mut local = vec![];
        local.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0");
        local.extend_from_slice(&crc.to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        z.extend_from_slice(&local);
        z.extend_from_slice(name);
        z.extend_from_slice(data);
        let cd_start = z.len() as u32;
        z.extend_from_slice(b"PK\x01\x02\x14\x03\x14\0\0\0\0\0\0\0\0\0");
        z.extend_from_slice(&crc.to_le_bytes());
        z.extend_from_slice(&(data.len() as u32).to_le_bytes());
        z.extend_from_slice(&(data.len() as u32).to_le_bytes());
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&[0; 8]);
        z.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
        z.extend_from_slice(&0u32.to_le_bytes());
        z.extend_from_slice(name);
        let cd_len = z.len() as u32 - cd_start;
        z.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
        z.extend_from_slice(&cd_len.to_le_bytes());
        z.extend_from_slice(&cd_start.to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z
    }

    fn crc(data: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0xedb8_8320 } else { c >> 1 };
            }
        }
        !c
    }

    #[test]
    fn stepwise_full_report_equals_the_one_call_report() {
        let zip = tiny_zip(br#"{"snapshot_version": "7.0.4", "execution_id": "x"}"#);
        let mut job = FullVerify::new(&zip, r#"{"file_name":"t.zip"}"#).unwrap();
        assert!(job.report_json(&zip).is_err(), "no report before the pass ends");
        while !job.step(&zip, 1).unwrap() {}
        let (done, total) = job.progress();
        assert_eq!(done, total);
        job.set_sha256("ABC");
        let json = job.report_json(&zip).unwrap();
        let opts = snapshot_core::Options { level: Level::Full, file_name: "t.zip".into(), ..Default::default() };
        let mut expected = snapshot_core::verify(&zip, &opts).unwrap();
        expected.set_sha256("abc".into());
        assert_eq!(json, expected.to_json().unwrap());
        assert_eq!(job.report_json(&zip).unwrap(), json, "repeatable");
        assert!(json.contains("\"entries_verified\": 1"), "{json}");
    }
}
