import type { Request, Response } from 'express';

/** The fallback for any path no route matched, outside /api: the NHS-style 404 page. */
export function renderNotFoundPage(_req: Request, res: Response): void {
  res.status(404).render('errors/404');
}
