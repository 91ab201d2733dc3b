// Compiled (not run) by tests/types.test.mjs: proves the TypeScript types a React/TS consumer
// imports, from both the client (lib/) and the raw module (pkg/, emitted by wasm-bindgen), check.
import { SnapshotChecker, SnapshotError, hexToBase64, type Progress, type Report } from '../../lib/snapshot-client.js';
import init, { codes_json, inspect, Sha256Job, VerifyJob, type InitOutput } from '../../pkg/snapshot_wasm.js';

export async function check(file: File, signal: AbortSignal): Promise<string> {
  const checker = await SnapshotChecker.create({ wasmUrl: '/static/snapshot_wasm_bg.wasm' });
  const { report, ms }: { report: Report; ms: number } = await checker.inspect(file, { target_version: '7.0.4', edition: 'premium', file_name: file.name });
  const onProgress = (p: Progress): void => console.log(p.op, p.done / p.total, p.bps, p.memory);
  const { hex } = await checker.sha256(file, { signal, onProgress });
  const full = await checker.verify(file, { file_name: file.name }, { signal, onProgress, sha256: hex });
  const codes = await checker.codes();
  const era: string | undefined = report.snapshot.era?.id;
  const kinds = full.report.security.items.map((i) => i.kind);
  try {
    await checker.debugPanic();
  } catch (err) {
    if (err instanceof SnapshotError && err.code === 'panic') console.log('recovered');
  }
  checker.dispose();
  return `${era} ${ms} ${kinds.join()} ${codes[0]?.description} ${hexToBase64(hex)}`;
}

// The raw module, for code that runs its own worker.
export async function raw(module: WebAssembly.Module, file: Blob): Promise<boolean> {
  const exports: InitOutput = await init({ module_or_path: module });
  const json: string = inspect(file, '{}');
  const job = new Sha256Job(file);
  while (!job.step(64 << 20));
  const verify = new VerifyJob(file, JSON.stringify({ file_name: 'x.zip' }));
  const finished: boolean = verify.step(1 << 20);
  return json.length > 0 && job.hex().length === 64 && codes_json().length > 0 && exports.memory.buffer.byteLength > 0 && finished;
}

// URL sources and the worker pool (issue 14).
export async function checkUrl(url: string, signal: AbortSignal): Promise<string> {
  const checker = await SnapshotChecker.create({ workers: 4 });
  const pool: number = checker.workers;
  try {
    const { report } = await checker.inspect(new URL(url), {}, { signal });
    const full = await checker.verify(url, { file_name: 'remote.zip' }, { signal });
    return `${pool} ${report.file.size} ${full.memory}`;
  } catch (err) {
    if (err instanceof SnapshotError && (err.code === 'cors' || err.code === 'no-range')) return 'go on unchecked';
    throw err;
  }
}
