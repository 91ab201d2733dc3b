//! The parts every era's writer is built from: tenant IDs, the `os.walk` tree, `pg_dump` text,
//! new-format dump files and the generation state [`Gen`].

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::formats::{py_json, uuid};
use super::{Canary, Snapshot};
use crate::zipw::{self, Entry};

pub(super) const TS: &str = "2024-05-17T12:00:00.000Z";
pub(super) const PG_TS: &str = "2024-05-17 12:00:00.000000";

/// The entity IDs of one tenant.
pub(super) struct Ids {
    pub(super) tenant: String,
    pub(super) k: usize,
    pub(super) bp: String,
    pub(super) dep: String,
    pub(super) ni: String,
    pub(super) plugin: String,
    pub(super) exec: String,
    pub(super) secret_key: String,
}

impl Ids {
    pub(super) fn new(k: usize, tenant: &str) -> Ids {
        const BPS: [&str; 3] = ["hello-world", "nodecellar", "db-cluster"];
        let bp = if k < BPS.len() { BPS[k].to_owned() } else { format!("bp-{k}") };
        Ids {
            tenant: tenant.to_owned(),
            k,
            dep: format!("{bp}-dep"),
            ni: format!("vm_{:06x}", zipw::crc32(tenant.as_bytes()) & 0xFF_FFFF),
            plugin: uuid(&format!("plugin {tenant}")),
            exec: uuid(&format!("install {tenant}")),
            secret_key: format!("db_password_{k}"),
            bp,
        }
    }
}

/// How the era's writer lays out directories.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// Python 2.7 `make_archive` and the 3.2 tool: file entries only.
    FilesOnly,
    /// `make_zip64_archive` on CentOS 7 Python 2.7: deflated, empty directory entries.
    Py27Dirs,
    /// `make_zip64_archive` / `make_archive` on Python 3: stored directory entries.
    Py3Dirs,
}

/// Files to archive, walked like `os.walk` by the era's writer.
#[derive(Default)]
pub(super) struct Tree {
    pub(super) files: Vec<(String, Vec<u8>, u32)>,
    pub(super) dirs: BTreeSet<String>,
}

impl Tree {
    pub(super) fn add(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>) {
        self.add_mode(path, data, 0o644);
    }

    pub(super) fn add_mode(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>, mode: u32) {
        self.files.push((path.into(), data.into(), mode));
    }

    /// A directory that exists even if it stays empty.
    pub(super) fn dir(&mut self, path: impl Into<String>) {
        self.dirs.insert(path.into());
    }

    /// Entries in writer order: per directory (top-down, sub-directories sorted) first the
    /// sub-directory entries, then the files in insertion order.
    pub(super) fn entries(&self, style: Style) -> Vec<Entry> {
        let mut dirs = self.dirs.clone();
        for p in self.files.iter().map(|f| f.0.as_str()).chain(self.dirs.iter().map(String::as_str)) {
            let mut p = p;
            while let Some((parent, _)) = p.rsplit_once('/') {
                dirs.insert(parent.to_owned());
                p = parent;
            }
        }
        let mut out = Vec::new();
        self.walk("", &dirs, style, &mut out);
        out
    }

    pub(super) fn walk(&self, dir: &str, dirs: &BTreeSet<String>, style: Style, out: &mut Vec<Entry>) {
        let parent = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
        let subdirs: Vec<&String> = dirs.iter().filter(|d| parent(d) == dir).collect();
        for d in &subdirs {
            match style {
                Style::FilesOnly => {}
                Style::Py27Dirs => out.push(Entry::dir(format!("{d}/")).py27()),
                Style::Py3Dirs => out.push(Entry::dir(format!("{d}/"))),
            }
        }
        for (path, data, mode) in self.files.iter().filter(|f| parent(&f.0) == dir) {
            out.push(Entry::file(path.as_str(), data.clone()).mode(0o100_000 | mode));
        }
        for d in subdirs {
            self.walk(d, dirs, style, out);
        }
    }
}

/// A plain-text `pg_dump -a` being written.
pub(super) struct Dump {
    pub(super) text: String,
    pub(super) public: bool,
}

impl Dump {
    /// The header of pg_dump 9.5 (`SET search_path`) or of a newer pg_dump (`public.` names).
    pub(super) fn new(newer: bool) -> Dump {
        let text = if newer {
            "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 14.7\n\
             -- Dumped by pg_dump version 14.7\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n\
             SET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\n\
             SET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\n\
             SET check_function_bodies = false;\nSET xmloption = content;\n\
             SET client_min_messages = warning;\nSET row_security = off;\n\n"
        } else {
            "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 9.5.3\n\
             -- Dumped by pg_dump version 9.5.3\n\nSET statement_timeout = 0;\nSET lock_timeout = 0;\n\
             SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\
             SET check_function_bodies = false;\nSET client_min_messages = warning;\n\
             SET row_security = off;\n\nSET search_path = public, pg_catalog;\n\n"
        };
        Dump { text: text.to_owned(), public: newer }
    }

    /// A `COPY … FROM stdin;` block; each row is a list of column values (`\N` for NULL).
    pub(super) fn copy(&mut self, table: &str, cols: &str, rows: &[Vec<String>]) {
        let name = if self.public { format!("public.{table}") } else { table.to_owned() };
        self.text += &format!(
            "--\n-- Data for Name: {}; Type: TABLE DATA; Schema: public; Owner: cloudify\n--\n\n\
             COPY {name} ({cols}) FROM stdin;\n",
            table.trim_matches('"')
        );
        for row in rows {
            self.text += &row.join("\t");
            self.text.push('\n');
        }
        self.text += "\\.\n\n\n";
    }

    pub(super) fn setval(&mut self, seq: &str, n: usize) {
        let name = if self.public { format!("public.{seq}") } else { seq.to_owned() };
        self.text += &format!(
            "--\n-- Name: {seq}; Type: SEQUENCE SET; Schema: public; Owner: cloudify\n--\n\n\
             SELECT pg_catalog.setval('{name}', {n}, true);\n\n\n"
        );
    }

    pub(super) fn finish(self) -> String {
        self.text + "--\n-- PostgreSQL database dump complete\n--\n\n"
    }
}

pub(super) fn row(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| (*c).to_owned()).collect()
}

/// Generation state: the spec, its parsed version, the canary planter and the tenants' IDs.
pub(super) struct Gen<'a> {
    pub(super) s: &'a Snapshot,
    pub(super) v: (u32, u32, u32),
    pub(super) c: Canary,
    pub(super) ids: Vec<Ids>,
    /// The admin's password hash and API token key, planted once, shared by `pg_data` and
    /// `admin_account.json`.
    pub(super) admin: Option<(String, String)>,
}

/// One dump file of the new format: `{"type", ["source",] ["source_id",] "latest_timestamp", "items"}`.
pub(super) struct Dumped {
    pub(super) ty: String,
    pub(super) source: Option<&'static str>,
    pub(super) source_id: Option<String>,
    pub(super) items: Value,
}

impl Dumped {
    pub(super) fn new(ty: &str, items: Value) -> Dumped {
        Dumped { ty: ty.to_owned(), source: None, source_id: None, items }
    }

    pub(super) fn source(mut self, source: Option<&'static str>, id: &str) -> Dumped {
        self.source = source;
        self.source_id = Some(id.to_owned());
        self
    }

    /// The file text, keys in the order `_write_files` writes them.
    pub(super) fn envelope(&self) -> String {
        let mut s = format!("{{\"type\": {}", json!(self.ty));
        if let Some(src) = self.source {
            s += &format!(", \"source\": {}", json!(src));
        }
        if let Some(id) = &self.source_id {
            s += &format!(", \"source_id\": {}", json!(id));
        }
        s += &format!(", \"latest_timestamp\": {}", json!(TS));
        s + &format!(", \"items\": {}}}", py_json(&self.items))
    }
}

/// The wagon file name a legacy manager of version `v` stores.
pub(super) fn wagon_name(v: (u32, u32, u32)) -> String {
    let py = if v >= (5, 1, 0) { "py27.py36" } else { "py27" };
    format!("cloudify_utilities_plugin-1.23.0-{py}-none-linux_x86_64-centos-Core.wgn")
}

pub(super) fn blueprint_yaml(name: &str) -> String {
    format!(
        "tosca_definitions_version: cloudify_dsl_1_3\n\ndescription: {name}\n\nimports:\n  \
         - http://cloudify.co/spec/cloudify/5.1/types.yaml\n\nnode_templates:\n  vm:\n    \
         type: cloudify.nodes.Compute\n    properties:\n      ip: 10.0.0.5\n      agent_config:\n        \
         install_method: remote\n"
    )
}

pub(super) fn plugin_yaml(package: &str, version: &str) -> String {
    format!(
        "plugins:\n  utilities:\n    executor: central_deployment_agent\n    package_name: {package}\n    \
         package_version: '{version}'\n"
    )
}
