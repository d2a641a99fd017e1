import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The time business rules read: due dates, reminder schedules, expiry, when something was
 * acted on. One provider, so a test can replace it with a FakeClock and drive reminders and
 * expiry deterministically instead of waiting for wall-clock time.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock a test sets and moves by hand. */
export class FakeClock extends Clock {
  private current: number;

  constructor(start: Date | number = Date.now()) {
    super();
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  override now(): Date {
    return new Date(this.current);
  }

  set(at: Date | number): void {
    this.current = typeof at === 'number' ? at : at.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** Provides the one Clock of an application (API or worker); tests override it with a FakeClock. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
