// Formatting helpers for sizes, rates and durations (English, en-US digit grouping).

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
const grouped = new Intl.NumberFormat('en-US');

/** "57.9 KiB", "4.50 GiB"; exact below 1 KiB. */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  let unit = 0;
  let value = n;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`;
}

/** "57.9 KiB (59,296 bytes)". */
export function formatBytesExact(n) {
  return n < 1024 ? formatBytes(n) : `${formatBytes(n)} (${grouped.format(n)} bytes)`;
}

/** Decimal gigabytes, the way the console's proxy limit is written ("2 GB"). */
export function formatDecimal(n) {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)} MB`;
  return `${grouped.format(n)} bytes`;
}

/** "312 MB/s" (decimal megabytes per second, as disks and networks are rated). */
export function formatRate(bytesPerSecond) {
  if (!(bytesPerSecond > 0)) return '— MB/s';
  const mbps = bytesPerSecond / 1e6;
  return `${mbps >= 100 ? Math.round(mbps) : mbps.toFixed(1)} MB/s`;
}

/** "120 ms", "3 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A count with grouping ("100,000"). */
export function formatCount(n) {
  return grouped.format(n);
}
