/**
 * One waiter woken from an event callback: `wait()` resolves at the next `wake()`. A wake with
 * no one waiting is lost, so a waiter checks its condition in a loop around `wait()`.
 */
export class Wakeup {
  private resolve: (() => void) | undefined;

  /** Resolves at the next {@link wake}. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Wakes the waiter, if any (a function of its own: it can be passed as a listener). */
  readonly wake = (): void => {
    const r = this.resolve;
    this.resolve = undefined;
    r?.();
  };
}
