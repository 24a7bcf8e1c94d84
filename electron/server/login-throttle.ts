/**
 * Slows password guessing on a team server, per user name (known or not, so it tells nothing
 * about which names exist): each failed log-in answers after a short delay that grows with the
 * failures in a row, and from the fifth failure in a row that name is refused outright for a
 * while (30 s, doubling, at most 15 min). A successful log-in clears the name's record.
 */
import { LandWatchError } from '../engine/errors.js';

const FREE_FAILURES = 4;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;
const STEP_DELAY_MS = 200;
const MAX_ENTRIES = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((ok) => setTimeout(ok, ms)),
  ) {}

  /** Throws E_RATE_LIMITED while `name` is locked out. */
  check(name: string): void {
    const entry = this.failures.get(name.toLowerCase());
    const left = entry ? entry.until - this.now() : 0;
    if (left > 0)
      throw new LandWatchError(
        'E_RATE_LIMITED',
        `Too many failed log-ins for this user name; try again in ${Math.ceil(left / 1000)} s.`,
      );
  }

  /** Records a failure; resolves after the delay it earns. */
  async failed(name: string): Promise<void> {
    const key = name.toLowerCase();
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const lock =
      count > FREE_FAILURES
        ? Math.min(BASE_LOCK_MS * 2 ** (count - FREE_FAILURES - 1), MAX_LOCK_MS)
        : 0;
    if (this.failures.size >= MAX_ENTRIES) this.forgetOld();
    this.failures.set(key, { count, until: this.now() + lock });
    await this.sleep(STEP_DELAY_MS * Math.min(count, 5));
  }

  succeeded(name: string): void {
    this.failures.delete(name.toLowerCase());
  }

  private forgetOld(): void {
    const now = this.now();
    for (const [key, entry] of this.failures) if (entry.until <= now) this.failures.delete(key);
  }
}
