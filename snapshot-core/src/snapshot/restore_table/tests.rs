//! One line per cell of the table (research note §1.3): row × target × edition × runtime.

use super::*;
use Edition::{Community as C, Premium as P};
use Outcome::*;
use Runtime::{Kubernetes as K8s, SingleHost as Host};

/// The rows: a subject and the facts of its genuine archive.
#[derive(Debug, Clone, Copy)]
enum Row {
    /// 3.3 (E1), no `has_cloudify_events` issue.
    E1,
    /// 3.4.0 (E2).
    E2,
    /// 4.0.0 (L0), no revision keys.
    L0,
    /// 4.0.1 premium (two keys): unkeyed.
    L1,
    /// 6.4.0 made by a premium manager: all three keys, stage_data and composer_data.
    L6Keyed,
    /// 6.4.0 made by a community manager: only schema_revision, no stage_data/composer_data.
    L6Unkeyed,
    /// 4.3.0 premium layout with its keys stripped: `stage/conf/app.json` present.
    L2Stripped,
    /// 7.0.0 new format with plugins and blueprints.
    N0,
    /// 7.0.0 new format without plugins or blueprints.
    N0Bare,
    /// 7.0.4 new format.
    N1,
    /// 6.4.0 keyed with a CRC error in a member.
    L6Corrupt,
}

fn subject(row: Row) -> (Subject, RestoreFacts) {
    let (era, text, keyed) = match row {
        Row::E1 => (Era::E1, "3.3", false),
        Row::E2 => (Era::E2, "3.4.0", false),
        Row::L0 => (Era::L0, "4.0.0", false),
        Row::L1 => (Era::L1, "4.0.1", false),
        Row::L6Keyed | Row::L6Corrupt => (Era::L6, "6.4.0", true),
        Row::L6Unkeyed => (Era::L6, "6.4.0", false),
        Row::L2Stripped => (Era::L2, "4.3.0", false),
        Row::N0 | Row::N0Bare => (Era::N0, "7.0.0", false),
        Row::N1 => (Era::N1, "7.0.4", false),
    };
    let s = Subject {
        era,
        keyed,
        version: Version::parse(text),
        version_text: text.to_string(),
        events_flag_missing: false,
    };
    let premium_files = matches!(row, Row::L1 | Row::L6Keyed | Row::L6Corrupt | Row::L2Stripped);
    let f = RestoreFacts {
        has_stage_data: premium_files,
        has_composer_data: premium_files,
        composer_revision: keyed,
        ui_aborts: if matches!(row, Row::L2Stripped) { vec!["stage/conf/app.json".into()] } else { vec![] },
        n0_archive_items: matches!(row, Row::N0),
        data_error: matches!(row, Row::L6Corrupt).then(|| "crc-mismatch at networks.json".into()),
        ..RestoreFacts::default()
    };
    (s, f)
}

const RSN: Code = Code::TargetSnapshotNewer;
const RSU: Code = Code::TargetSnapshotUnsupported;
const RFU: Code = Code::TargetFormatUnsupported;
const RNP: Code = Code::TargetRoutesNewPath;
const RFR: Code = Code::TargetFileRequired;
const RRL: Code = Code::TargetRuntimeRefusesLegacy;

/// Row, target version, target edition, target runtime, outcome, outcome finding.
type Case = (Row, &'static str, Edition, Runtime, Outcome, Option<Code>);

#[rustfmt::skip]
const CASES: &[Case] = &[
    (Row::E1, "3.3.0", P, Host, Restores, None),
    (Row::E1, "3.4.2", P, Host, Restores, None),
    (Row::E1, "4.0.0", P, Host, Restores, None),
    (Row::E1, "4.6.0", C, Host, Restores, None),
    (Row::E1, "5.0.5", P, Host, Refused, Some(RSU)),
    (Row::E1, "6.4.2", P, Host, Refused, Some(RSU)),
    (Row::E1, "7.0.0", P, Host, RestoresNothing, Some(RNP)),
    (Row::E1, "7.0.4", P, Host, RestoresNothing, Some(RNP)),
    (Row::E1, "7.0.4", P, K8s, RestoresNothing, Some(RNP)),
    (Row::E2, "3.3.0", P, Host, Refused, Some(RSU)),
    (Row::E2, "3.4.0", P, Host, Restores, None),
    (Row::E2, "4.1.0", P, Host, Restores, None),
    (Row::E2, "5.1.0", C, Host, Refused, Some(RSU)),
    (Row::E2, "7.0.0", P, Host, RestoresNothing, Some(RNP)),
    (Row::E2, "7.0.4", C, Host, RestoresNothing, Some(RNP)),
    (Row::L0, "3.3.0", P, Host, Refused, Some(RFU)),
    (Row::L0, "3.4.2", P, Host, Refused, Some(RSN)),
    (Row::L0, "4.0.0", P, Host, Restores, None),
    (Row::L0, "5.0.5", P, Host, Restores, None),
    (Row::L0, "6.4.2", P, Host, Restores, None),
    (Row::L0, "7.0.0", P, Host, RestoresNothing, Some(RNP)),
    (Row::L0, "7.0.4", P, Host, RestoresNothing, Some(RNP)),
    (Row::L1, "4.0.0", P, Host, Refused, Some(RSN)),
    (Row::L1, "4.0.1", P, Host, Restores, None),
    (Row::L1, "6.4.2", C, Host, Restores, None),
    (Row::L1, "7.0.0", P, Host, RestoresNothing, Some(RNP)),
    (Row::L1, "7.0.4", P, K8s, RestoresNothing, Some(RNP)),
    (Row::L6Keyed, "3.3.0", P, Host, Refused, Some(RFU)),
    (Row::L6Keyed, "6.3.0", P, Host, Refused, Some(RSN)),
    (Row::L6Keyed, "6.4.0", P, Host, Restores, None),
    (Row::L6Keyed, "6.4.2", C, Host, Restores, None),
    (Row::L6Keyed, "7.0.0", P, Host, Restores, None),
    (Row::L6Keyed, "7.0.0", P, K8s, Restores, None),
    (Row::L6Keyed, "7.0.4", P, Host, Restores, None),
    (Row::L6Keyed, "7.0.4", P, K8s, Refused, Some(RRL)),
    (Row::L6Keyed, "7.0.1", C, K8s, Refused, Some(RRL)),
    (Row::L6Unkeyed, "6.4.2", C, Host, Restores, None),
    (Row::L6Unkeyed, "6.4.2", P, Host, Aborts, Some(RFR)),
    (Row::L6Unkeyed, "7.0.0", C, Host, RestoresNothing, Some(RNP)),
    (Row::L6Unkeyed, "7.0.4", C, Host, RestoresNothing, Some(RNP)),
    (Row::L6Unkeyed, "7.0.4", C, K8s, RestoresNothing, Some(RNP)),
    (Row::L2Stripped, "5.1.0", P, Host, Restores, None),
    (Row::L2Stripped, "7.0.4", P, Host, Aborts, Some(RNP)),
    (Row::N0, "4.6.0", P, Host, Refused, Some(RSN)),
    (Row::N0, "6.4.2", P, Host, Refused, Some(RSN)),
    (Row::N0, "7.0.0", P, Host, Restores, None),
    (Row::N0, "7.0.0", C, K8s, Restores, None),
    (Row::N0, "7.0.4", P, Host, Aborts, Some(RFU)),
    (Row::N0Bare, "7.0.4", P, Host, Partial, Some(RFU)),
    (Row::N1, "3.3.0", P, Host, Refused, Some(RFU)),
    (Row::N1, "5.1.0", P, Host, Refused, Some(RSN)),
    (Row::N1, "7.0.0", P, Host, Aborts, Some(RFU)),
    (Row::N1, "7.0.1", P, Host, Restores, None),
    (Row::N1, "7.0.4", C, Host, Restores, None),
    (Row::N1, "7.0.4", P, K8s, Restores, None),
    (Row::N1, "7.1.0", P, Host, Restores, None),
    (Row::L6Corrupt, "6.4.2", P, Host, Refused, None),
    (Row::L6Corrupt, "7.0.4", P, Host, Refused, None),
];

#[test]
fn table_cells() {
    for &(row, target, edition, runtime, outcome, code) in CASES {
        let (s, f) = subject(row);
        let t = Target { version: Version::parse(target).unwrap(), edition, runtime };
        let cell = decide(&s, &t, &f);
        let what = format!("{row:?} on {target} {edition:?} {runtime:?}");
        assert_eq!(cell.outcome, outcome, "{what}: {}", cell.message);
        assert_eq!(cell.code, code, "{what}: {}", cell.message);
        assert_eq!(cell.outcome == Restores, cell.message.is_empty(), "{what}: a failing cell says why");
        let want_route = if t.version < Version::new(7, 0, 0) || (s.keyed && s.era.format() != Format::New) {
            "legacy"
        } else {
            "new"
        };
        assert_eq!(cell.route, want_route, "{what}");
    }
}

#[test]
fn newer_new_format_snapshot_restores_unchecked() {
    let (s, f) = subject(Row::N1);
    let cell = decide(&s, &Target { version: Version::new(7, 0, 1), edition: P, runtime: Host }, &f);
    assert_eq!(cell.outcome, Restores);
    assert_eq!(cell.warnings.iter().map(|w| w.0).collect::<Vec<_>>(), [Code::TargetVersionUnchecked]);
}

#[test]
fn lines_cover_the_releases() {
    assert_eq!(Line::of(Version::new(4, 6, 0)), Line::V4_1);
    assert_eq!(Line::of(Version::new(5, 0, 5)), Line::V5_0);
    assert_eq!(Line::of(Version::new(6, 4, 2)), Line::V5_1);
    assert_eq!(Line::of(Version::new(7, 0, 0)), Line::V7_0_0);
    assert_eq!(Line::of(Version::new(7, 1, 0)), Line::V7_0_1);
    assert!(KNOWN_RELEASES.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn ui_entities_follow_the_last_dot() {
    let names = [
        "composer/blueprints.json",
        "composer/blueprints.zip",
        "composer/blueprints.tar.gz",
        "stage/pages.json",
        "stage/widgets.zip",
        "stage/unknown-entity.json",
        "stage/default_tenant/ua.json",
        "stage/conf/app.json",
        "stage/dist/userData/widgets/x.js",
        "stage/dist/userData/",
        "composer/backend/conf/prod.json",
    ];
    assert_eq!(
        ui_aborting_files(names.into_iter()),
        [
            "composer/blueprints.tar.gz",
            "stage/unknown-entity.json",
            "stage/conf/app.json",
            "stage/dist/userData/widgets/x.js"
        ]
    );
}
