// One turn's answer text across retried attempts. A retry streams the answer again from the start,
// but the text already shown cannot be taken back, so only what goes beyond it is new.

export interface TextStep {
  /** The retried stream diverged from what was shown: the turn's text restarts with `show`. */
  restart: boolean;
  /** Text to show now (may be empty). */
  show: string;
}

export class TurnText {
  private shown = "";
  private received = "";

  /** The turn's text as shown. */
  get text(): string {
    return this.shown;
  }

  /** A new attempt streams from the beginning again. */
  newAttempt(): void {
    this.received = "";
  }

  /**
   * Compares only the new delta against the text shown at its offset: received is always a
   * prefix of shown (a replay) or equal to it, so each push costs O(delta), not O(text). A
   * long stream of tiny deltas would otherwise be quadratic.
   */
  push(delta: string): TextStep {
    const at = this.received.length;
    this.received += delta;
    if (at >= this.shown.length) {
      this.shown = this.received;
      return { restart: false, show: delta };
    }
    const overlap = Math.min(delta.length, this.shown.length - at);
    if (delta.slice(0, overlap) !== this.shown.slice(at, at + overlap)) {
      this.shown = this.received;
      return { restart: true, show: this.received };
    }
    if (this.received.length <= this.shown.length) return { restart: false, show: "" };
    const show = delta.slice(overlap);
    this.shown = this.received;
    return { restart: false, show };
  }
}
