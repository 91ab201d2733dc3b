// Where the browser checker finds its worker and its wasm. By default (undefined) the bundler
// resolves them: webpack 5 emits the worker chunk and the wasm asset from the package's
// `new URL(…, import.meta.url)` literals. When the widget build cannot serve emitted chunks (see
// the README: Stage's widget build uses publicPath '/console' without a trailing slash), copy the
// package's lib/ and pkg/ folders next to the widget (outside src/, which Stage's build copies
// verbatim) and point at them instead, for example:
//
//   const BASE = '/console/appData/widgets/snapshots/verify';
//   export const CHECKER_CONFIG = {
//     wasmUrl: `${BASE}/pkg/snapshot_wasm_bg.wasm`,
//     createWorker: () => new Worker(`${BASE}/lib/snapshot-worker.js`, { type: 'module' }),
//   };
import { sharedChecker } from 'snapshot-verify-browser/react';

export const CHECKER_CONFIG: Parameters<typeof sharedChecker>[0] = undefined;

/** The page's one checker (compiled and started on first use; the same promise afterwards). */
export function getChecker() {
  return sharedChecker(CHECKER_CONFIG);
}
