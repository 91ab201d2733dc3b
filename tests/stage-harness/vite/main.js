// A Vite app with no configuration for the package: Vite must emit the worker and the wasm
// from the client's `new URL(…, import.meta.url)` literals.
import { SnapshotChecker } from 'snapshot-verify-browser';

window.plain = { SnapshotChecker };
