// Types of the `react` entry (React >= 16.8; TypeScript 4.x or newer).

import type { ComponentType, ReactElement } from 'react';
import type { CodeInfo, Edition, Report, Runtime } from '../lib/report.js';
import type { Progress, SnapshotChecker } from '../lib/snapshot-client.js';

export type { CodeInfo, Report, Progress, SnapshotChecker };

/** A File/Blob, an http(s) URL (checked with ranged reads where the client supports it), or null. */
export type SnapshotSource = Blob | URL | string | null | undefined;

export interface UseSnapshotCheckOptions {
  /** Manager version to predict restore on, e.g. '7.0.4'. */
  targetVersion?: string | null;
  edition?: Edition;
  runtime?: Runtime;
  /** The name the report shows; defaults to `file.name` or the URL's last path segment. */
  fileName?: string;
  /** Run the full verification after the quick report (default true). */
  full?: boolean;
  /** Compute the SHA-256 of a File (default true; never for a URL). */
  hash?: boolean;
  /** A checker to use instead of the page's shared one; pass a stable value. */
  checker?: SnapshotChecker | Promise<SnapshotChecker>;
}

export type CheckStatus = 'idle' | 'inspecting' | 'checking' | 'done' | 'error' | 'cancelled';

export interface SnapshotCheck {
  status: CheckStatus;
  /** True while the quick report or a long job runs. */
  running: boolean;
  /** The source is a URL (no SHA-256). */
  remote: boolean;
  /** The quick report (well under a second). */
  quick: Report | null;
  /** The full report (every entry decompressed and checked). */
  full: Report | null;
  /** `full ?? quick`. */
  report: Report | null;
  /** SHA-256 of the file, lowercase hex. */
  sha256: string | null;
  hashProgress: Progress | null;
  verifyProgress: Progress | null;
  /** Why the check stopped (status 'error'); a SnapshotError has a `code`, e.g. 'cors', 'no-range', 'failed'. */
  error: (Error & { code?: string }) | null;
  /** Stops every job of this check (status 'cancelled'). */
  cancel(): void;
  /** Runs the check again. */
  retry(): void;
}

/** Checks `source`; cancels when it or the options change, on unmount, and on `cancel()`. */
export function useSnapshotCheck(source: SnapshotSource, options?: UseSnapshotCheckOptions): SnapshotCheck;

/** The page's one checker, compiled and started on first use; later calls return the same promise (their `config` is ignored). */
export function sharedChecker(config?: { wasmUrl?: string | URL; createWorker?: () => Worker }): Promise<SnapshotChecker>;

export interface SnapshotCheckPanelProps {
  check: SnapshotCheck;
  /** The finding catalogue (`checker.codes()`), for plain-language explanations. */
  codes?: CodeInfo[] | null;
  /** Replaces `check.cancel` on the Cancel button. */
  onCancel?: () => void;
  className?: string;
}

/** Verdict, preview, compatibility, progress with Cancel, secrets and findings, in semantic-ui-react. */
export const SnapshotCheckPanel: ComponentType<SnapshotCheckPanelProps>;

/** The semantic-ui-react components the panel is made of (Stage.Basic has them all). */
export interface PanelComponents {
  Button: ComponentType<any>;
  Header: ComponentType<any>;
  Icon: ComponentType<any>;
  Label: ComponentType<any>;
  List: ComponentType<any> & { Item: ComponentType<any> };
  Message: ComponentType<any> & { Header: ComponentType<any>; Content: ComponentType<any> };
  Progress: ComponentType<any>;
  Table: ComponentType<any> & { Body: ComponentType<any>; Row: ComponentType<any>; Cell: ComponentType<any> };
}

/** Builds the panel from given components, e.g. `createSnapshotCheckPanel(Stage.Basic)`. */
export function createSnapshotCheckPanel(components: PanelComponents): (props: SnapshotCheckPanelProps) => ReactElement | null;

/** True when there is a report and no check found an error (warnings do not block). */
export function canUpload(report: Report | null | undefined): boolean;

/** `sha-256=:<base64>:` for the `Content-Digest` header (RFC 9530); throws on anything but 64 hex digits. */
export function contentDigest(hex: string): string;

/** Cloudify's snapshot ID rules: null when valid, otherwise a sentence saying what is wrong. */
export function snapshotIdProblem(id: string): string | null;

/** A valid snapshot ID suggested from a file name or URL. */
export function suggestSnapshotId(name: string): string;

export function formatBytes(bytes: number | null | undefined): string;
export function formatSeconds(seconds: number): string;
