// Screen-reader announcements through one aria-live="polite" region (WCAG ARIA25).
// progressbar value changes are not announced by screen readers, so progress is spoken here,
// throttled to every 10 % per task.

export class Announcer {
  #region;
  #lastStep = new Map();

  /** @param {HTMLElement} region an element with aria-live="polite" */
  constructor(region) {
    this.#region = region;
  }

  /** Speaks `text` (replacing whatever was pending). */
  say(text) {
    // Clearing first makes screen readers announce a repeated message again.
    this.#region.textContent = '';
    requestAnimationFrame(() => {
      this.#region.textContent = text;
    });
  }

  /** Speaks "<task>: 40 %" when the task crosses another 10 % step. */
  progress(task, fraction) {
    const step = Math.floor(Math.min(1, Math.max(0, fraction)) * 10);
    if (step === 0 || step === 10 || this.#lastStep.get(task) === step) return;
    this.#lastStep.set(task, step);
    this.say(`${task}: ${step * 10} %`);
  }

  /** Forgets the steps of `task` (a new run announces from the start). */
  reset(task) {
    this.#lastStep.delete(task);
  }
}
