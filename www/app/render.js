// Renders a snapshot-verify report into the dialog. Everything from the archive (names,
// paths, messages) is untrusted: it only ever goes into textContent, never into HTML.

import { formatBytes, formatCount } from './format.js';

/** Creates an element: h('p', {class: 'x'}, 'text', child…). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const SEVERITY_TITLES = { error: 'Errors', warning: 'Warnings', info: 'Information' };

const SECRET_KINDS = {
  'private-key': ['Private keys', 'PEM or PKCS#12 private keys'],
  'agent-key': ['Agent SSH keys', 'keys the manager uses to reach agent hosts'],
  'encryption-key': ['Encryption key', 'rest-security.conf: decrypts every secret in this archive'],
  'clear-secret': ['Secrets in clear text', 'secret values stored unencrypted'],
  'encrypted-secret': ['Encrypted secrets', 'readable with the encryption key when the archive carries it'],
  'broker-password': ['Broker passwords', 'RabbitMQ credentials in clear text'],
  'password-hash': ['Password hashes', 'hashes of the users’ passwords'],
  'config-credential': ['Configuration credentials', 'database connection strings or application secrets'],
  certificate: ['Certificates', 'public certificates, listed for completeness'],
};

const COUNT_LABELS = [
  ['tenants', 'Tenants'],
  ['blueprints', 'Blueprints'],
  ['deployments', 'Deployments'],
  ['plugins', 'Plugins'],
  ['agents', 'Agents'],
  ['secrets', 'Secrets'],
  ['users', 'Users'],
  ['executions', 'Executions'],
  ['events', 'Events and logs'],
];

const FORMAT_NAMES = { legacy: 'legacy format (database dump)', new: 'new format (JSON)', elasticsearch: 'Elasticsearch format' };

/** The one-line verdict: {tone: 'pass' | 'warn' | 'fail', title, detail}. */
export function verdictOf(report) {
  const { summary, snapshot } = report;
  const era = snapshot.era;
  const what = snapshot.is_snapshot
    ? [
        'Cloudify snapshot',
        snapshot.snapshot_version && `version ${snapshot.snapshot_version}`,
        era && `${FORMAT_NAMES[era.format] ?? era.format}, era ${era.id} (written by ${era.produced_by})`,
      ].filter(Boolean).join(', ')
    : 'not a Cloudify snapshot';
  if (summary.errors > 0) {
    // Findings are sorted errors first: the first one says what is wrong in plain language.
    const first = report.findings.find((f) => f.severity === 'error')?.message ?? '';
    return snapshot.is_snapshot
      ? { tone: 'fail', title: `Not safe to restore: ${plural(summary.errors, 'error')} found`, detail: `${what}. First error: ${first}` }
      : { tone: 'fail', title: 'This file is not a restorable Cloudify snapshot', detail: first || what };
  }
  if (summary.warnings > 0) {
    return { tone: 'warn', title: `Restorable, with ${plural(summary.warnings, 'warning')}`, detail: what };
  }
  return { tone: 'pass', title: 'Looks like a restorable Cloudify snapshot', detail: what };
}

/** "1 error", "3 errors"; irregular plurals are passed: plural(n, 'entry', 'entries'). */
export function plural(n, word, many = `${word}s`) {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** Definition list of the snapshot preview. */
export function renderPreview(report) {
  const { snapshot: s, archive: a } = report;
  const rows = [];
  if (s.era) rows.push(['Era', `${s.era.id} · ${s.era.produced_by} · ${FORMAT_NAMES[s.era.format] ?? s.era.format}`]);
  rows.push(['Snapshot version', s.snapshot_version ?? '—']);
  if (s.metadata?.schema_revision) rows.push(['Schema revision', s.metadata.schema_revision]);
  if (s.is_snapshot) rows.push(['Tenants', s.tenants.length ? s.tenants.join(', ') : s.counts.tenants != null ? formatCount(s.counts.tenants) : 'not listed in this format']);
  if (a) {
    rows.push(['Entries', `${formatCount(a.entries)} (${formatCount(a.files)} files, ${formatCount(a.directories)} folders)${a.zip64 ? ' · ZIP64' : ''}`]);
    rows.push(['Size', `${formatBytes(a.compressed_size)} compressed, ${formatBytes(a.uncompressed_size)} uncompressed`]);
  }
  if (s.restore_disk_estimate != null) rows.push(['Estimated restore disk', formatBytes(s.restore_disk_estimate)]);
  const flags = [];
  if (s.flags?.include_credentials) flags.push('includes agent SSH keys');
  if (s.flags?.metrics) flags.push('includes metrics');
  if (s.flags?.events_excluded) flags.push('events excluded');
  if (s.flags?.logs_excluded) flags.push('logs excluded');
  if (flags.length) rows.push(['Made with', flags.join(', ')]);

  const dl = h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  const counts = COUNT_LABELS.filter(([key]) => s.counts?.[key] != null);
  const countList = counts.length
    ? h('ul', { class: 'counts', 'aria-label': 'Contents' },
        counts.map(([key, label]) => h('li', {}, h('strong', {}, formatCount(s.counts[key])), ` ${label}`)))
    : null;
  return h('div', {}, dl, countList, renderParts(s.parts ?? []));
}

/** The sizes of the top-level parts (largest first, the first 6 shown, the rest folded). */
function renderParts(parts) {
  if (!parts.length) return null;
  const row = (p) => h('tr', {}, h('th', { scope: 'row' }, p.name), h('td', {}, formatCount(p.entries)),
    h('td', {}, formatBytes(p.compressed_size)), h('td', {}, formatBytes(p.uncompressed_size)));
  const table = (list) => h('table', { class: 'parts' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Part'), h('th', { scope: 'col' }, 'Entries'),
      h('th', { scope: 'col' }, 'Compressed'), h('th', { scope: 'col' }, 'Uncompressed'))),
    h('tbody', {}, list.map(row)));
  const shown = parts.slice(0, 6);
  const rest = parts.slice(6);
  return h('div', { class: 'parts-wrap' }, table(shown),
    rest.length ? h('details', {}, h('summary', {}, `${rest.length} more parts`), table(rest)) : null);
}

const RUNTIME = { 'single-host': 'single host', kubernetes: 'Kubernetes' };
const OUTCOME = {
  refused: 'restore refuses it',
  aborts: 'restore fails part-way',
  'restores-nothing': 'restore reports success but restores nothing',
  partial: 'restore loses part of the content',
};

/** The compatibility verdict for the target manager, and which managers accept the archive. */
export function renderCompatibility(report) {
  const c = report.snapshot.compatibility ?? { accepted_by: [], target: null };
  const t = c.target;
  const parts = [];
  if (t) {
    const ok = t.restorable;
    parts.push(h('p', { class: `target ${ok ? 'ok' : 'bad'}`, dataset: { restorable: String(ok) } },
      h('strong', {}, ok ? '✔ Restorable' : '✖ Not restorable'),
      ` on Cloudify Manager ${t.version} (${t.edition}, ${RUNTIME[t.runtime] ?? t.runtime})`,
      t.restore_path ? `, ${t.restore_path} restore path` : '',
      !ok && OUTCOME[t.outcome] ? `: ${OUTCOME[t.outcome]}` : ''));
    if (t.messages.length) {
      parts.push(h('ul', { class: 'quoted' }, t.messages.map((m) => h('li', {}, h('q', {}, m)))));
    }
  } else if (report.snapshot.is_snapshot) {
    parts.push(h('p', {}, 'Enter a target manager version to predict restore on it.'));
  }
  if (c.accepted_by.length) {
    parts.push(h('p', { class: 'muted' }, 'Managers whose restore accepts this snapshot:'));
    parts.push(h('ul', { class: 'ranges' }, c.accepted_by.map((r) =>
      h('li', {}, h('strong', {}, rangeText(r)), ` — ${r.note}`))));
  } else if (!report.snapshot.is_snapshot) {
    parts.push(h('p', {}, 'No Cloudify manager can restore this file.'));
  } else {
    parts.push(h('p', {}, 'No manager restores this snapshot as it is: fix the errors above first.'));
  }
  return h('div', {}, parts);
}

function rangeText({ from, to }) {
  if (from && to) return from === to ? from : `${from} – ${to}`;
  if (from) return `${from} and later`;
  if (to) return `up to ${to}`;
  return 'any version';
}

/** The security inventory: kinds, paths and counts, never values. */
export function renderSecurity(report) {
  const items = report.security?.items ?? [];
  if (!items.length) {
    return h('p', { class: 'muted' }, report.snapshot.is_snapshot
      ? 'No keys, secrets or password hashes were found in the parts read so far.'
      : 'Nothing to list.');
  }
  const byKind = new Map();
  for (const item of items) {
    if (!byKind.has(item.kind)) byKind.set(item.kind, []);
    byKind.get(item.kind).push(item);
  }
  return h('div', {},
    h('p', { class: 'secret-note' }, 'This archive carries the secrets below. Handle the file as a secret: anyone who has it can read them.'),
    h('ul', { class: 'secrets' }, [...byKind].map(([kind, list]) => {
      const [label, hint] = SECRET_KINDS[kind] ?? [kind, ''];
      const total = list.reduce((n, i) => n + i.count, 0);
      return h('li', { dataset: { kind } },
        h('div', {}, h('strong', {}, label), ` · ${formatCount(total)}`, hint ? h('span', { class: 'muted' }, ` — ${hint}`) : null),
        paths(list));
    })));
}

/** Where a kind of secret is: listed when short, folded when long. */
function paths(list) {
  const ul = h('ul', { class: 'paths' }, list.map((i) => h('li', {}, h('code', {}, i.path), i.count > 1 ? ` (${formatCount(i.count)})` : '')));
  return list.length <= 2 ? ul : h('details', { class: 'paths-fold' }, h('summary', {}, `${list.length} places`), ul);
}

/** Findings grouped by severity, each with the catalogue's plain-language explanation. */
export function renderFindings(report, codes) {
  const groups = ['error', 'warning', 'info'].map((severity) => [severity, report.findings.filter((f) => f.severity === severity)]);
  const nonEmpty = groups.filter(([, list]) => list.length);
  if (!nonEmpty.length) return h('p', { class: 'muted' }, 'No findings.');
  return h('div', {}, nonEmpty.map(([severity, list]) =>
    h('details', { class: `findings ${severity}`, open: severity !== 'info' || list.length <= 3, dataset: { severity } },
      h('summary', {}, h('span', { class: `badge ${severity}` }, `${SEVERITY_TITLES[severity]} (${list.length})`)),
      h('ul', {}, list.map((f) => renderFinding(f, codes))))));
}

function renderFinding(f, codes) {
  const where = [f.path && `in ${f.path}`, f.offset != null && `at byte ${formatCount(f.offset)}`].filter(Boolean).join(' ');
  const explanation = codes.get(f.code)?.description;
  return h('li', { class: 'finding', dataset: { code: f.code } },
    h('p', { class: 'message' }, f.message),
    h('p', { class: 'meta' }, h('code', {}, f.code), ` · rule ${f.rule}`, where ? ` · ${where}` : ''),
    explanation ? h('p', { class: 'explain' }, explanation) : null);
}
