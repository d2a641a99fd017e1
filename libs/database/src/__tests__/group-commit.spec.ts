import { GroupCommit } from '../group-commit';

/** A write that records each batch and finishes when the test says so. */
function controlledWrite(failWhen: (items: string[]) => Error | null = () => null) {
  const batches: string[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: string[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      pending.push(() => {
        const error = failWhen(items);
        if (error) reject(error);
        else resolve();
      });
    });
  /** Lets the oldest running write finish, then lets promise callbacks run. */
  const finishOne = async () => {
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, write, finishOne, running: () => pending.length };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, and the items that arrive meanwhile together in the next write', async () => {
    const w = controlledWrite();
    const commits = new GroupCommit(w.write);
    const settled: string[] = [];
    const track = (id: string) => commits.submit(id).then(() => settled.push(id));
    const first = track('a');
    expect(w.batches).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map(track);
    expect(w.batches).toEqual([['a']]);
    expect(commits.waiting).toBe(3);
    await w.finishOne();
    expect(settled).toEqual(['a']);
    expect(w.batches).toEqual([['a'], ['b', 'c', 'd']]);
    await w.finishOne();
    await Promise.all([first, ...rest]);
    expect(settled).toEqual(['a', 'b', 'c', 'd']);
    expect(w.running()).toBe(0);
    expect(commits.waiting).toBe(0);
  });

  it('never puts more than maxBatch items in one write', async () => {
    const w = controlledWrite();
    const commits = new GroupCommit(w.write, 2);
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => commits.submit(id));
    await w.finishOne();
    await w.finishOne();
    await w.finishOne();
    await Promise.all(all);
    expect(w.batches).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('retries a failed batch one item at a time, so only the bad item fails', async () => {
    const w = controlledWrite((items) => (items.includes('bad') ? new Error(`refused ${items.join(',')}`) : null));
    const commits = new GroupCommit(w.write);
    const first = commits.submit('a');
    const outcomes = Promise.allSettled(['b', 'bad', 'c'].map((id) => commits.submit(id)));
    await w.finishOne(); // a
    await w.finishOne(); // b, bad, c: refused
    await w.finishOne(); // b alone
    await w.finishOne(); // bad alone: refused
    await w.finishOne(); // c alone
    await first;
    expect((await outcomes).map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as Error).message))).toEqual(['ok', 'refused bad', 'ok']);
    expect(w.batches).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('passes a lone item’s failure to its caller and goes on with the next items', async () => {
    const w = controlledWrite((items) => (items[0] === 'x' ? new Error('database unavailable') : null));
    const commits = new GroupCommit(w.write);
    const failed = commits.submit('x');
    const next = commits.submit('y');
    await w.finishOne();
    await expect(failed).rejects.toThrow('database unavailable');
    await w.finishOne();
    await expect(next).resolves.toBeUndefined();
    expect(w.batches).toEqual([['x'], ['y']]);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new GroupCommit(async () => undefined, 0)).toThrow('maxBatch must be a positive integer');
  });
});
