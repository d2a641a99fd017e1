import { Injectable } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { HandlesJob } from '../queue/job-handler';
import { JobRegistry, JobRegistryError } from '../queue/job-registry';
import { JobName } from '../queue/queue.contract';

function handlerFor(name: JobName) {
  @Injectable()
  @HandlesJob(name)
  class Handler {
    async handle(): Promise<void> {}
  }
  return Handler;
}

function registryWith(classes: (new () => object)[]): JobRegistry {
  const discovery = { getProviders: () => classes.map((metatype) => ({ metatype, instance: new metatype() })) } as unknown as DiscoveryService;
  return new JobRegistry(discovery, new Reflector());
}

const ALL = Object.values(JobName);

describe('JobRegistry (the worker refuses to start on a broken job table)', () => {
  it('accepts exactly one handler per job and maps each job to it', () => {
    const classes = ALL.map(handlerFor);
    const handlers = registryWith(classes).build();
    expect([...handlers.keys()].sort()).toEqual([...ALL].sort());
    ALL.forEach((name, i) => expect(handlers.get(name)).toBeInstanceOf(classes[i]));
  });

  it('refuses a job without a handler, naming it', () => {
    const missing = ALL[ALL.length - 1];
    expect(() => registryWith(ALL.slice(0, -1).map(handlerFor)).build()).toThrow(new JobRegistryError(`Refusing to start the worker: job "${missing}" has no handler.`));
  });

  it('refuses a job with two handlers, naming it', () => {
    const doubled = ALL[0];
    expect(() => registryWith([...ALL.map(handlerFor), handlerFor(doubled)]).build()).toThrow(/job "email.send" has 2 handlers/);
  });

  it('ignores providers that are not job handlers', () => {
    @Injectable()
    class Unrelated {}
    expect(registryWith([...ALL.map(handlerFor), Unrelated]).build().size).toBe(ALL.length);
  });
});
