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

  push(delta: string): TextStep {
    this.received += delta;
    if (this.shown.startsWith(this.received)) return { restart: false, show: "" };
    if (this.received.startsWith(this.shown)) {
      const show = this.received.slice(this.shown.length);
      this.shown = this.received;
      return { restart: false, show };
    }
    this.shown = this.received;
    return { restart: true, show: this.received };
  }
}
