import { sleep } from './pool';

/**
 * A shared pause: one 429 with retry-after holds back every lane of a job, not only the one that got
 * it (the others would hit the same limit and each earn their own 429).
 */
export class RateGate {
  private until = 0;

  pause(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms);
  }

  async wait(): Promise<void> {
    while (Date.now() < this.until) await sleep(this.until - Date.now());
  }
}
