/**
 * At most one NOTIFY-ing append in flight per store and node. PostgreSQL serialises the commits of notifying
 * transactions (a global lock held through the commit's WAL flush), so if every append notified, writers of
 * different streams would take turns again. The first append asks to notify; appends that commit while it runs do
 * not, and one NOTIFY of its own follows for them. Followers re-read from their cursor on any notification, so one
 * notification covers every append committed before it.
 */
export class NotifyGate {
  private inFlight = false;
  private owed = false;

  /** @param notify sends one NOTIFY for the store (its failure is ignored: the next append notifies again). */
  constructor(private readonly notify: () => Promise<void>) {}

  /** Whether the append about to start should NOTIFY itself. */
  begin(): boolean {
    if (this.inFlight) return false;
    this.inFlight = true;
    return true;
  }

  /** @param notified what begin() answered for this append; @param wrote whether it committed events. */
  end(notified: boolean, wrote: boolean): void {
    if (notified) this.inFlight = false;
    else if (wrote) this.owed = true;
    this.flush();
  }

  private flush(): void {
    if (this.inFlight || !this.owed) return;
    this.owed = false;
    this.inFlight = true;
    void this.notify()
      .catch(() => {})
      .finally(() => {
        this.inFlight = false;
        this.flush();
      });
  }
}
