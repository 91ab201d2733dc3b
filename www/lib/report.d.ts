// TypeScript view of the snapshot-verify report (schema_version 1), the JSON that both the CLI
// (`--format json`) and the browser module emit. Mirrors snapshot-core/src/report.rs; within one
// schema version fields are only added, and the lists of codes, eras and kinds may grow.

export type Severity = 'error' | 'warning' | 'info';
export type Verdict = 'pass' | 'pass-with-warnings' | 'fail';
export type Level = 'quick' | 'full';
export type Edition = 'premium' | 'community';
export type Runtime = 'single-host' | 'kubernetes';
export type Outcome = 'restores' | 'refused' | 'aborts' | 'restores-nothing' | 'partial';
export type SecretKind =
  | 'private-key' | 'agent-key' | 'encryption-key' | 'clear-secret' | 'encrypted-secret'
  | 'broker-password' | 'password-hash' | 'config-credential' | 'certificate';

export interface Finding {
  /** Stable kebab-case code (see `SnapshotChecker.codes()`). */
  code: string;
  severity: Severity;
  /** The spec rule it implements (`A1`…`F`, `H1`…`H24`). */
  rule: string;
  /** A sentence a person can act on; never contains a secret's value. */
  message: string;
  path?: string;
  offset?: number;
  /** Present only when a policy decided this finding; `severity` is then the effective one. */
  policy?: { level: PolicyLevel; selector: string; original_severity: Severity };
  /** Present (true) only when the baseline has this finding (CLI `--baseline`). */
  baseline?: true;
}

export type PolicyLevel = 'allow' | 'warn' | 'deny';

/** `options.policy`: selectors are finding codes, spec rules (`S1`) or families (`security`). */
export interface PolicyOptions { allow?: string[]; warn?: string[]; deny?: string[] }

export interface ArchiveInfo {
  entries: number; files: number; directories: number; zip64: boolean;
  archive_offset: number; central_directory_offset: number; central_directory_size: number;
  comment_length: number; compressed_size: number; uncompressed_size: number;
  stored: number; deflated: number; other_methods: number;
}

export interface EraInfo {
  /** `E0`, `E1`, `E2`, `E2b`, `L0`…`L6`, `N0` or `N1`. */
  id: string;
  produced_by: string;
  format: 'elasticsearch' | 'legacy' | 'new';
}

export interface ContentCounts {
  tenants: number | null; blueprints: number | null; deployments: number | null; plugins: number | null;
  agents: number | null; secrets: number | null; users: number | null; executions: number | null; events: number | null;
}

export interface Part { name: string; entries: number; compressed_size: number; uncompressed_size: number }

export interface VersionRange { from: string | null; to: string | null; note: string }

export interface TargetPrediction {
  version: string; edition: Edition; runtime: Runtime; restore_path: 'legacy' | 'new'; outcome: Outcome;
  restorable: boolean; messages: string[];
}

export interface SnapshotInfo {
  is_snapshot: boolean;
  era: EraInfo | null;
  snapshot_version: string | null;
  metadata: {
    schema_revision: string | null; stage_schema_revision: string | null; composer_schema_revision: string | null;
    execution_id: string | null; has_cloudify_events: boolean | null;
  };
  tenants: string[];
  counts: ContentCounts;
  flags: { include_credentials: boolean; metrics: boolean; events_excluded: boolean | null; logs_excluded: boolean | null };
  parts: Part[];
  restore_disk_estimate: number | null;
  compatibility: { accepted_by: VersionRange[]; target: TargetPrediction | null };
}

export interface Report {
  schema_version: 1;
  tool: { name: 'snapshot-verify'; version: string };
  file: { name: string; size: number; sha256: string | null };
  settings: {
    level: Level; target_version: string | null; edition: Edition; runtime: Runtime;
    /** Present only with a policy: its directives in effect, in order. */
    policy?: { level: PolicyLevel; selector: string }[];
  };
  verdict: Verdict;
  summary: {
    errors: number; warnings: number; infos: number; entries: number; entries_verified: number;
    /** Present only with a policy. */
    allowed?: number;
    /** Present only with a baseline. */
    baseline?: { known: number; new_errors: number; new_warnings: number };
  };
  /** Only when the data pass was sampled (options `sample`/`seed`); see schema/report.schema.json. */
  sample?: {
    mode: 'percent' | 'size' | 'slice'; spec: string; seed: number;
    entries_total: number; entries_checked: number; critical_entries: number;
    bytes_total: number; bytes_checked: number; not_checked: string[]; not_checked_omitted: number;
  };
  archive: ArchiveInfo | null;
  snapshot: SnapshotInfo;
  security: { items: { kind: SecretKind; path: string; count: number }[] };
  /** Errors first. */
  findings: Finding[];
}

/** One entry of the finding catalogue. */
export interface CodeInfo { code: string; severity: Severity; rule: string; description: string }
