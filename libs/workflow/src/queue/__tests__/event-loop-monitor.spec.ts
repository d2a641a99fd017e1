import { EventLoopMonitor } from '../event-loop-monitor';

function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else runs on this thread
  }
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EventLoopMonitor', () => {
  it('names the job that was running when the loop was blocked beyond the threshold', async () => {
    const warn = jest.fn();
    const monitor = new EventLoopMonitor(150, { warn }, 60_000);
    monitor.start();
    try {
      await tick(50);
      monitor.check();
      monitor.jobStarted('documents.generate#job-1');
      await tick(20);
      blockFor(400);
      monitor.jobFinished('documents.generate#job-1');
      await tick(30);
      const blockedMs = monitor.check();
      expect(blockedMs).toBeGreaterThanOrEqual(350);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/^event loop blocked for \d+ ms \(threshold 150 ms\) while running documents\.generate#job-1;/);
    } finally {
      monitor.stop();
    }
  });

  it('stays quiet for short pauses and forgets jobs that finished before the last check', async () => {
    const warn = jest.fn();
    const monitor = new EventLoopMonitor(300, { warn }, 60_000);
    monitor.start();
    try {
      monitor.jobStarted('email.send#a');
      monitor.jobFinished('email.send#a');
      await tick(50);
      expect(monitor.check()).toBe(0);
      await tick(20);
      blockFor(500);
      await tick(30);
      monitor.check();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/while running no job;/);
      expect(monitor.blocks).toBe(1);
    } finally {
      monitor.stop();
    }
  });
});
