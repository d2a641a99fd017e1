import type { NextFunction, Request, Response } from 'express';
import { CommonErrorCode } from '../errors/domain.exception';
import { correlationIdOf } from './correlation-id';

/** Deeper than any real agreement (content nests about 6 levels); deeper bodies are hostile. */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value, measured without recursion so a hostile body cannot overflow the stack. */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(node as object)) stack.push([child, depth + 1]);
  }
  return max;
}

/** Refuses over-nested JSON bodies with a 400 before validation walks them recursively. */
export function rejectDeepJson(req: Request, res: Response, next: NextFunction): void {
  if (req.body && typeof req.body === 'object' && jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    res.status(400).json({ status: 400, code: CommonErrorCode.BadRequest, message: `The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, correlationId: correlationIdOf(req) });
    return;
  }
  next();
}
