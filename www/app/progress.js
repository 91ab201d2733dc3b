// A labelled progress row: <progress> plus "42 % · 312 MB/s · 5 s left".

import { formatDuration, formatRate } from './format.js';

export class ProgressRow {
  #bar;
  #text;
  #name;
  #announcer;

  /**
   * @param {HTMLElement} root an element holding a <progress> and a `.progress-text`
   * @param {string} name the task's name for announcements ("SHA-256")
   * @param {import('./announcer.js').Announcer} announcer
   */
  constructor(root, name, announcer) {
    this.root = root;
    this.#bar = root.querySelector('progress');
    this.#text = root.querySelector('.progress-text');
    this.#name = name;
    this.#announcer = announcer;
  }

  /** The status text shown now. */
  get text() {
    return this.#text.textContent;
  }

  /** Back to idle with a status text. */
  reset(text = 'Waiting') {
    this.#bar.removeAttribute('value');
    this.#bar.value = 0;
    this.#text.textContent = text;
    this.root.dataset.state = 'idle';
    this.#announcer.reset(this.#name);
  }

  /** Shows `done` of `total` bytes at `bps` bytes per second. */
  update({ done, total, bps }) {
    const fraction = total > 0 ? done / total : 1;
    this.#bar.max = 1;
    this.#bar.value = fraction;
    const left = bps > 0 ? (total - done) / bps : NaN;
    this.#text.textContent = `${Math.floor(fraction * 100)} % · ${formatRate(bps)} · ${formatDuration(left)} left`;
    this.root.dataset.state = 'running';
    this.#announcer.progress(this.#name, fraction);
  }

  /** Finished (or failed, or cancelled) with a status text. */
  finish(text, state = 'done') {
    this.#bar.max = 1;
    this.#bar.value = state === 'done' ? 1 : this.#bar.value;
    this.#text.textContent = text;
    this.root.dataset.state = state;
  }
}
