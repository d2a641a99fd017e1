import { randomInt } from 'node:crypto';

/**
 * Random choices a failed drill can replay: the seed comes from FAULT_SEED or is drawn and
 * printed, and every choice (kill moments, approval order) comes from it (mulberry32).
 */
export class SeededRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  static fromEnvironment(label: string): SeededRandom {
    const seed = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : randomInt(1, 2 ** 31);
    if (!Number.isInteger(seed)) throw new Error(`FAULT_SEED must be a whole number, not ${process.env.FAULT_SEED}`);
    console.log(`${label}: seed ${seed} (replay with FAULT_SEED=${seed} npm run test:faults)`);
    return new SeededRandom(seed);
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  shuffle<T>(items: T[]): T[] {
    const copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }
}
