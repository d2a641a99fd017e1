import { Injectable } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { JOB_HANDLER, JobHandler } from './job-handler';
import { JobName } from './queue.contract';

export class JobRegistryError extends Error {
  override name = 'JobRegistryError';
}

/** Finds every @HandlesJob provider and refuses to start unless each JobName has exactly one. */
@Injectable()
export class JobRegistry {
  private handlers = new Map<JobName, JobHandler<JobName>>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  build(): Map<JobName, JobHandler<JobName>> {
    const found = new Map<JobName, JobHandler<JobName>[]>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const name = this.reflector.get<JobName | undefined>(JOB_HANDLER, wrapper.metatype as Function);
      if (name) found.set(name, [...(found.get(name) ?? []), wrapper.instance as JobHandler<JobName>]);
    }
    const problems: string[] = [];
    for (const name of Object.values(JobName)) {
      const list = found.get(name) ?? [];
      if (list.length === 0) problems.push(`job "${name}" has no handler`);
      if (list.length > 1) problems.push(`job "${name}" has ${list.length} handlers`);
    }
    for (const name of found.keys()) if (!Object.values(JobName).includes(name)) problems.push(`handler for unknown job "${name}"`);
    if (problems.length > 0) throw new JobRegistryError(`Refusing to start the worker: ${problems.join('; ')}.`);
    this.handlers = new Map([...found].map(([k, v]) => [k, v[0]]));
    return this.handlers;
  }
}
