// Saving a note as the doctor types: a save starts once typing has paused (`delay`), on blur, and
// before anything that needs the text stored (signing, finishing the visit). One save runs at a
// time; what is typed during a save is saved right after it. A failed save keeps the text as
// unsaved, so the next flush tries again. A crash loses at most what was typed since the last save.

export type SaveState =
  | { kind: "idle" }
  | { kind: "pending" }
  | { kind: "saving" }
  | { kind: "saved"; at: string }
  | { kind: "failed"; error: unknown };

/** How long typing must pause before a save starts (ms). */
export const AUTOSAVE_DELAY = 1500;

export class Autosave<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private unsaved: { value: T } | null = null;
  private running: Promise<void> | null = null;

  /** `save` stores a value and answers when it was saved (an instant the core gives). */
  constructor(
    private readonly save: (value: T) => Promise<string>,
    private readonly onstate: (state: SaveState) => void,
    private readonly delay = AUTOSAVE_DELAY,
  ) {}

  /** Whether something typed is not stored yet. */
  get pending(): boolean {
    return this.unsaved !== null || this.running !== null;
  }

  /** The text changed: save it once typing pauses. */
  changed(value: T): void {
    this.unsaved = { value };
    this.onstate({ kind: "pending" });
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delay);
  }

  /** Saves what is unsaved now; resolves once everything typed so far is stored (or failed). */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // Wait for a save under way: it may have started before the latest keys.
    while (this.running) await this.running;
    const next = this.unsaved;
    if (!next) return;
    this.unsaved = null;
    this.onstate({ kind: "saving" });
    this.running = this.save(next.value).then(
      (at) => this.onstate(this.unsaved ? { kind: "pending" } : { kind: "saved", at }),
      (error) => {
        this.unsaved ??= next;
        this.onstate({ kind: "failed", error });
      },
    ).finally(() => (this.running = null));
    await this.running;
  }

  /** Stops the timer (the editor is closing); call `flush` first to keep what was typed. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
