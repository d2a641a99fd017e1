import { AUTH_ENTITIES } from '@pcn/auth';
import { DIRECTORY_ENTITIES } from '@pcn/directory';
import { AGREEMENTS_ENTITIES } from '@pcn/agreements';
import { AUDIT_ENTITIES } from '@pcn/audit';
import { OUTBOX_ENTITIES } from '@pcn/database';
import { WORKFLOW_ENTITIES } from '@pcn/workflow';
import { DOCUMENTS_ENTITIES } from '@pcn/documents';

/** Every entity of every lib: what migrations must match (the drift check compares them). */
export const ALL_ENTITIES = [...AUTH_ENTITIES, ...DIRECTORY_ENTITIES, ...AGREEMENTS_ENTITIES, ...AUDIT_ENTITIES, ...OUTBOX_ENTITIES, ...WORKFLOW_ENTITIES, ...DOCUMENTS_ENTITIES];
