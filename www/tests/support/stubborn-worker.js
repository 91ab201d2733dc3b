// A worker that speaks the snapshot-worker protocol but never finishes a job and ignores cancel
// messages, as a worker stuck in one long wasm step would: the client must terminate it.
let runs = 0;
self.onmessage = ({ data }) => {
  if (data.type === 'init') {
    self.postMessage({ type: 'ready' });
    return;
  }
  if (data.type === 'cancel') return; // ignored on purpose
  if (data.type === 'codes') {
    self.postMessage({ type: 'result', id: data.id, json: JSON.stringify([{ runs }]) });
    return;
  }
  runs += 1;
  // Busy for good: progress now and then, never a result.
  setInterval(() => self.postMessage({ type: 'progress', id: data.id, op: data.type, done: 1, total: 2, bps: 1, memory: 0 }), 20);
};
