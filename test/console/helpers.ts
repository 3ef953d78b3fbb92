import { createAccount } from '../../src/accounts/accounts.js';
import type { TestApp } from '../helpers/app.js';

export const PASSWORD = 'correct horse battery staple';

/** A console account straight in the database (as `frontline users create` makes it). */
export async function makeAccount(t: TestApp, email: string, role: 'admin' | 'agent' | 'read_only', groups: string[] = [], displayName?: string) {
  return createAccount(t.frontline.db.prisma, { email, role, groups, password: PASSWORD, ...(displayName ? { displayName } : {}) });
}

/** A browser-like client: keeps the session cookie, sends the CSRF token it was given on unsafe requests. */
export class ConsoleClient {
  cookie = '';
  csrf = '';
  constructor(private readonly url: string) {}

  async signIn(email: string, password = PASSWORD): Promise<Response> {
    const res = await fetch(`${this.url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const set = res.headers.get('set-cookie');
    if (res.ok && set) {
      this.cookie = set.split(';')[0]!;
      this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  request(path: string, init: { method?: string; body?: unknown; csrf?: boolean } = {}): Promise<Response> {
    const method = init.method ?? 'GET';
    const headers: Record<string, string> = { cookie: this.cookie };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && init.csrf !== false) headers['x-csrf-token'] = this.csrf;
    return fetch(`${this.url}${path}`, { method, headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  }
}
