// SnapshotCheckPanel: renders the state of useSnapshotCheck (verdict, preview, compatibility,
// progress with Cancel, secrets, findings) from semantic-ui-react components. The components
// are passed in (createSnapshotCheckPanel), so a host that already ships semantic-ui-react
// (Cloudify Stage's `Stage.Basic`) does not bundle a second copy; index.js binds the default.
// Archive text only ever reaches React as text children (never as HTML).

import { createElement as h, Fragment } from 'react';
import { formatBytes, formatSeconds } from './helpers.js';

const VERDICT = {
  pass: { title: 'The snapshot passed the checks', props: { positive: true }, icon: 'check circle' },
  'pass-with-warnings': { title: 'The snapshot passed with warnings', props: { warning: true }, icon: 'warning sign' },
  fail: { title: 'The snapshot failed the checks', props: { negative: true }, icon: 'times circle' },
};

const SEVERITY_COLOR = { error: 'red', warning: 'yellow', info: 'blue' };

const COUNTS = [
  ['tenants', 'tenants'], ['blueprints', 'blueprints'], ['deployments', 'deployments'], ['plugins', 'plugins'],
  ['agents', 'agents'], ['secrets', 'secrets'], ['users', 'users'], ['executions', 'executions'], ['events', 'events'],
];

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function rowsOf(report) {
  const snap = report.snapshot ?? {};
  const rows = [['File', `${report.file?.name ?? ''} (${formatBytes(report.file?.size)})`]];
  if (snap.era) rows.push(['Produced by', `${snap.era.produced_by}, era ${snap.era.id}`]);
  if (snap.snapshot_version) rows.push(['Snapshot version', snap.snapshot_version]);
  if (snap.tenants?.length) rows.push(['Tenants', snap.tenants.join(', ')]);
  const counts = COUNTS.filter(([key]) => key !== 'tenants' && snap.counts?.[key] != null).map(([key, word]) => `${snap.counts[key]} ${word}`);
  if (counts.length) rows.push(['Contents', counts.join(', ')]);
  if (report.archive) rows.push(['Entries', `${report.archive.entries} (${formatBytes(report.archive.uncompressed_size)} uncompressed)`]);
  if (snap.restore_disk_estimate != null) rows.push(['Restore needs about', `${formatBytes(snap.restore_disk_estimate)} of disk`]);
  return rows;
}

function timeLeft(p) {
  if (!p || !(p.bps > 0) || p.done >= p.total) return '';
  return `, ${formatSeconds((p.total - p.done) / p.bps)} left`;
}

function progressLabel(what, p) {
  if (!p) return `${what}: starting…`;
  const mbs = p.bps > 0 ? `, ${(p.bps / 1e6).toFixed(0)} MB/s` : '';
  return `${what}: ${formatBytes(p.done)} of ${formatBytes(p.total)}${mbs}${timeLeft(p)}`;
}

function percent(p) {
  return p && p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : 0;
}

/** Makes the panel from semantic-ui-react's components (or Stage.Basic, which re-exports them). */
export function createSnapshotCheckPanel(C) {
  const { Button, Icon, Label, List, Message, Progress, Table, Header } = C;

  function Verdict({ check }) {
    const { report, full } = check;
    if (!report) return null;
    const v = VERDICT[report.verdict] ?? VERDICT.fail;
    const scope = full ? 'full verification' : 'quick check; the full verification follows';
    const s = report.summary;
    return h(Message, { ...v.props, icon: true, className: 'snapshot-check-verdict', 'data-verdict': report.verdict, 'data-level': full ? 'full' : 'quick' },
      h(Icon, { name: v.icon }),
      h(Message.Content, null,
        h(Message.Header, null, v.title),
        `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} (${scope}).`));
  }

  function Preview({ report }) {
    return h(Table, { definition: true, compact: true, size: 'small', className: 'snapshot-check-preview' },
      h(Table.Body, null, rowsOf(report).map(([k, v]) => h(Table.Row, { key: k }, h(Table.Cell, { width: 4 }, k), h(Table.Cell, null, v)))));
  }

  function Compatibility({ report }) {
    const c = report.snapshot?.compatibility;
    if (!c) return null;
    const t = c.target;
    return h('div', { className: 'snapshot-check-compatibility' },
      t && h(Label, { color: t.restorable ? 'green' : 'red', basic: true },
        `Manager ${t.version} (${t.edition}, ${t.runtime}): ${t.restorable ? 'can restore it' : `cannot restore it (${t.outcome})`}`),
      t?.messages?.length ? h(List, { bulleted: true, size: 'small' }, t.messages.map((m, i) => h(List.Item, { key: i }, m))) : null,
      c.accepted_by?.length
        ? h('div', { className: 'snapshot-check-accepted' }, 'Accepted by managers ',
          c.accepted_by.map((r) => `${r.from ?? '…'}–${r.to ?? '…'}${r.note ? ` (${r.note})` : ''}`).join('; '))
        : null);
  }

  function Progresses({ check, onCancel }) {
    if (check.status !== 'checking') return null;
    const rows = [];
    if (!check.remote && check.sha256 === null) {
      rows.push(h(Progress, { key: 'hash', className: 'snapshot-check-progress-hash', percent: percent(check.hashProgress), size: 'small', indicating: true, label: progressLabel('SHA-256', check.hashProgress) }));
    }
    if (check.full === null) {
      rows.push(h(Progress, { key: 'verify', className: 'snapshot-check-progress-verify', percent: percent(check.verifyProgress), size: 'small', indicating: true, label: progressLabel('Full verification', check.verifyProgress) }));
    }
    return h('div', { className: 'snapshot-check-progress' }, rows,
      h(Button, { type: 'button', basic: true, size: 'small', icon: 'stop', content: 'Cancel the check', className: 'snapshot-check-cancel', onClick: onCancel ?? check.cancel }));
  }

  function Secrets({ report }) {
    const items = report.security?.items ?? [];
    if (!items.length) return null;
    return h('div', { className: 'snapshot-check-secrets' },
      h(Header, { as: 'h5' }, h(Icon, { name: 'key' }), 'Secrets in the archive (values are never shown)'),
      h(List, { size: 'small' }, items.map((s, i) => h(List.Item, { key: i }, `${s.kind}: ${s.path} (${s.count})`))));
  }

  function Findings({ report, codes }) {
    const findings = report.findings ?? [];
    if (!findings.length) return null;
    const explain = new Map((codes ?? []).map((c) => [c.code, c.description]));
    return h(Table, { compact: true, size: 'small', className: 'snapshot-check-findings' },
      h(Table.Body, null, findings.map((f, i) => h(Table.Row, { key: i, 'data-code': f.code },
        h(Table.Cell, { collapsing: true }, h(Label, { size: 'mini', color: SEVERITY_COLOR[f.severity] }, f.severity)),
        h(Table.Cell, null,
          h('strong', null, f.code), ` (${f.rule}) `, f.message,
          f.path ? h('div', null, h('code', null, f.path)) : null,
          explain.has(f.code) ? h('div', { className: 'snapshot-check-explain' }, explain.get(f.code)) : null)))));
  }

  function ErrorMessage({ check }) {
    if (check.status === 'cancelled') {
      return h(Message, { info: true, size: 'small', className: 'snapshot-check-cancelled' }, 'The check was cancelled.',
        check.retry ? h(Button, { type: 'button', basic: true, size: 'mini', content: 'Check again', onClick: check.retry, style: { marginLeft: '1em' } }) : null);
    }
    if (check.status !== 'error' || !check.error) return null;
    return h(Message, { negative: true, size: 'small', className: 'snapshot-check-error', 'data-code': check.error.code ?? '' },
      h(Message.Header, null, 'The archive could not be checked'), String(check.error.message ?? check.error));
  }

  /** The panel. Props: `check` (from useSnapshotCheck), optional `codes`, `onCancel`, `className`. */
  function SnapshotCheckPanel({ check, codes, onCancel, className }) {
    if (!check || check.status === 'idle') return null;
    const { report } = check;
    return h('div', { className: ['snapshot-check', className].filter(Boolean).join(' '), 'data-status': check.status },
      check.status === 'inspecting' ? h(Message, { size: 'small', className: 'snapshot-check-inspecting' }, 'Reading the archive…') : null,
      h(ErrorMessage, { check }),
      report ? h(Fragment, null,
        h(Verdict, { check }),
        h(Preview, { report }),
        h(Compatibility, { report })) : null,
      h(Progresses, { check, onCancel }),
      report ? h(Fragment, null, h(Secrets, { report }), h(Findings, { report, codes })) : null);
  }
  return SnapshotCheckPanel;
}
