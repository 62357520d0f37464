/** A real server on loopback over a fresh store, with helpers to create customers and call it. */
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/api/app.ts';
import type { NewCustomer, NewPrincipal } from '../../src/access/customers.ts';
import { freshRegister } from './stores.ts';

export async function startApi(kind: 'sqlite' | 'postgres' = 'sqlite', start = '2026-06-01T10:00:00Z') {
  const reg = await freshRegister(kind, start);
  const { app, ctx } = await buildApp(reg.register, reg.clock, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  async function call(method: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  /** A customer with one principal and an API key. */
  async function customerWithKey(c: NewCustomer, p: Partial<NewPrincipal> = {}) {
    const customer = await ctx.access.createCustomer(c);
    const principal = await ctx.access.addPrincipal(customer.id, { kind: 'user', name: 'Test user', roles: ['lookup'], ...p });
    const { apiKey } = await ctx.access.issueCredential(principal.id, 'api_key');
    return { customer, principal, key: apiKey! };
  }

  return {
    ...reg,
    app,
    ctx,
    base,
    call,
    customerWithKey,
    async dispose() {
      await app.close();
      await reg.dispose();
    },
  };
}
