import request from 'supertest';
import type { TestApp } from './test-app';

/** The value of a hidden `_csrf` field in a rendered form. */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1];
}

/**
 * A browser-like client of the pages: keeps the session cookie, signs in through the
 * sign-in form (with its CSRF token) and posts forms with the token of the page they are on.
 */
export async function signInToPages(t: TestApp, email: string, password: string) {
  const agent = request.agent(t.app.getHttpServer());
  const form = await agent.get('/sign-in');
  const res = await agent.post('/sign-in').type('form').send({ email, password, _csrf: csrfTokenIn(form.text), returnTo: '/tasks' });
  if (res.status !== 303) throw new Error(`page sign-in as ${email} failed: ${res.status}`);
  return {
    agent,
    /** GET a page, then post its form with that page's CSRF token. */
    async submit(pagePath: string, action: string, fields: Record<string, unknown>) {
      const page = await agent.get(pagePath);
      return agent.post(action).type('form').send({ ...fields, _csrf: csrfTokenIn(page.text) });
    },
  };
}
