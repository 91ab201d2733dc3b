//! Unit tests of the era writers.

use super::*;
use std::path::PathBuf;
use std::process::Command;

/// A scratch directory under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("snapshot-tests-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Checks each archive the way Cloudify's Python reads it: `testzip()` is `None`, every
/// JSON member parses, SQL dumps are complete, nested archives open, and `unzip -l` lists it.
const PY_CHECK: &str = r#"
import base64, io, json, subprocess, sys, tarfile, zipfile
def nested(name, data):
    if name.endswith(('.tar.gz', '.wgn')):
        tarfile.open(fileobj=io.BytesIO(data)).getnames()
    elif name.endswith('.zip'):
        z = zipfile.ZipFile(io.BytesIO(data))
        assert z.testzip() is None, name
        for i in z.infolist():
            nested(i.filename, z.read(i))
    elif name.endswith('.b64zip'):
        nested('workdir.zip', base64.b64decode(data, validate=True))
bad = []
for path in sys.argv[1:]:
    try:
        z = zipfile.ZipFile(path)
        assert z.testzip() is None, 'testzip'
        meta = json.loads(z.read('metadata.json'))
        new = 'execution_id' in meta or meta['snapshot_version'] == '7.0.0'
        for i in z.infolist():
            n, d = i.filename, z.read(i)
            if n.endswith('.json') or n in ('rest-security.conf', 'agents.json'):
                v = json.loads(d)
                if new and n.startswith(('mgmt/', 'tenants/', 'stage/', 'composer/')):
                    assert set(v) >= {'type', 'items'}, n
            if n == 'admin_account.json':
                assert set(json.loads(d.strip())) >= {'id', 'username', 'password'}
            if n in ('pg_data', 'stage_data', 'composer_data'):
                t = d.decode()
                assert t.startswith('--\n-- PostgreSQL database dump'), n
                assert t.count(' FROM stdin;\n') == t.count('\n\\.\n'), n
                tail = t.split('-- PostgreSQL database dump complete\n', 1)[1]
                assert ('DELETE FROM' in tail) == (n == 'pg_data'), n
            if n == 'es_data':
                for line in d.decode().splitlines():
                    assert {'_type', '_source'} <= set(json.loads(line))
            nested(n, d)
        listed = subprocess.run(['unzip', '-l', path], capture_output=True)
        assert listed.returncode == 0, 'unzip -l rc %d' % listed.returncode
    except Exception as e:
        bad.append('%s: %s: %s' % (path, type(e).__name__, e))
print('\n'.join(bad))
sys.exit(1 if bad else 0)
"#;

#[test]
fn python_reads_every_era_sample() {
    let scratch = Scratch::new("eras");
    let mut archives: Vec<(String, Vec<u8>)> = era_samples().iter().map(|s| (s.file_name(), s.bytes())).collect();
    archives.push(("sample.zip".into(), sample().bytes()));
    archives.push(("zip64.zip".into(), Snapshot::new(Era::L5).zip().force_zip64().build()));
    let mut paths = Vec::new();
    for (i, (name, bytes)) in archives.iter().enumerate() {
        let path = scratch.0.join(format!("{i:02}-{name}"));
        std::fs::write(&path, bytes).expect("write sample");
        paths.push(path);
    }
    let out = Command::new("python3").arg("-c").arg(PY_CHECK).args(&paths).output().expect("run python3");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

/// Our Python 2.7 and Python 3 writers produce the header fields (of `0o755` directories and
/// `0o644` files) of the real 5.1.0 fixture (written on CentOS 7 Python 2.7) and of CPython 3's
/// `shutil.make_archive`.
#[test]
fn headers_match_the_real_writers() {
    let Some(real) = crate::real_fixtures() else { return };
    let scratch = Scratch::new("headers");
    let (py27, py3) = (scratch.0.join("py27.zip"), scratch.0.join("py3.zip"));
    std::fs::write(&py27, Snapshot::new(Era::L4).bytes()).expect("write");
    std::fs::write(&py3, Snapshot::new(Era::L5).bytes()).expect("write");
    let script = r#"
import sys, zipfile, tempfile, os
def kinds(path):
    return {(i.is_dir(), i.compress_type, i.external_attr, i.create_system, i.create_version,
             i.extract_version, i.flag_bits) for i in zipfile.ZipFile(path).infolist()
            if i.external_attr >> 16 in (0o40755, 0o100644)}
real, py27, py3 = sys.argv[1:]
assert kinds(py27) == kinds(real), (kinds(py27), kinds(real))
d = tempfile.mkdtemp()
os.makedirs(os.path.join(d, 'a', 'b'))
with open(os.path.join(d, 'a', 'f.txt'), 'w') as f: f.write('x')
os.chmod(os.path.join(d, 'a', 'f.txt'), 0o644)
os.chmod(os.path.join(d, 'a', 'b'), 0o755); os.chmod(os.path.join(d, 'a'), 0o755)
import shutil
made = shutil.make_archive(os.path.join(d, 'out'), 'zip', os.path.join(d, 'a'))
assert kinds(py3) == kinds(made), (kinds(py3), kinds(made))
shutil.rmtree(d)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(real.join("snap-5.1.0-dev-legacy.zip"))
        .args([&py27, &py3])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn era_samples_are_deterministic() {
    for s in era_samples() {
        assert!(s.bytes() == s.bytes(), "{} differs between runs", s.file_name());
    }
}

#[test]
fn big_zip64_snapshot_lists_in_python() {
    let scratch = Scratch::new("big");
    let path = scratch.0.join("big.zip");
    let huge: u64 = 9 << 29; // 4.5 GiB
    let len = write_big_snapshot(&path, huge).expect("write big snapshot");
    assert!(len > huge);
    let agents = Snapshot::new(Era::L5).zip().entry_mut("agents.json").data.clone();
    let script = r#"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
big = z.getinfo('deployments/default_tenant/big-dep/disk.img')
assert big.file_size == int(sys.argv[2]) and big.compress_type == 0, big
agents = z.getinfo('agents.json')
assert agents.header_offset > 2**32, agents.header_offset
assert z.read('agents.json') == sys.argv[3].encode(), 'agents.json differs'
assert z.read('metadata.json').startswith(b'{')
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .arg(huge.to_string())
        .arg(String::from_utf8(agents).expect("utf-8"))
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed = Command::new("unzip").arg("-l").arg(&path).output().expect("run unzip");
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stdout));
}

#[test]
fn versions_parse_leniently() {
    assert_eq!(parse_version("3.3"), (3, 3, 0));
    assert_eq!(parse_version("5.0.5.1"), (5, 0, 5));
    assert_eq!(parse_version("7.0.4-ga"), (7, 0, 4));
    assert_eq!(head_revision((5, 1, 0)), Some("387fcd049efb"));
    assert_eq!(head_revision((4, 0, 0)), None);
    assert_eq!(head_revision((7, 0, 4)), Some("edd6d829a209"));
}

#[test]
fn base64_matches_known_vectors() {
    assert_eq!(base64(b"", false), "");
    assert_eq!(base64(b"f", false), "Zg==");
    assert_eq!(base64(b"fo", false), "Zm8=");
    assert_eq!(base64(b"foobar", false), "Zm9vYmFy");
    assert_eq!(base64(&[0xfb, 0xff], true), "-_8=");
}

#[test]
fn key32_is_valid_urlsafe_base64_of_32_bytes() {
    let k = Canary::new("CANARY").key32();
    assert_eq!(k.len(), 44);
    assert!(k.ends_with("A=") && k.starts_with("CANARY-0001-"));
}

#[test]
fn every_canary_is_in_the_archive() {
    for built in [canary_snapshot_legacy(), canary_snapshot_new()] {
        let text: Vec<u8> = built.zip.entries.iter().flat_map(|e| e.data.clone()).collect();
        assert!(built.canaries.len() > 10);
        for c in &built.canaries {
            assert!(c.contains("CANARY-"));
            assert!(text.windows(c.len()).any(|w| w == c.as_bytes()), "{c} not planted");
        }
    }
}

#[test]
fn versions_drive_the_content() {
    let names = |s: Snapshot| -> Vec<String> {
        s.zip().entries.iter().map(|e| String::from_utf8_lossy(&e.name).into_owned()).collect()
    };
    let l2_41 = names(Snapshot::new(Era::L2).version("4.1.0"));
    assert!(!l2_41.contains(&"networks.json".to_owned()));
    let l3 = names(Snapshot::new(Era::L3));
    assert!(l3.contains(&"rest-security.conf".to_owned()) && l3.contains(&"networks.json".to_owned()));
    let community = Snapshot::new(Era::L5).community();
    assert!(!names(community.clone()).contains(&"stage_data".to_owned()));
    let meta = community.zip().entry_mut("metadata.json").data.clone();
    assert!(!String::from_utf8_lossy(&meta).contains("stage_schema_revision"));
}
