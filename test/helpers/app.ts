// Builds Hameau the way the server does, on a throwaway data directory, for app.inject() tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parse, type HTMLElement } from 'node-html-parser';
import { buildApp } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { insertUser } from '../../src/auth/users.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Locale, Role } from '../../src/db/schema.js';
import type { PluginDefinition } from '../../src/plugins/contract.js';

export interface TestApp {
  app: FastifyInstance;
  dataDir: string;
  config: Config;
  /** Every log line written so far, as parsed JSON. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Plugins for a test app: definitions given directly, or a folder of plugins instead of the repository's. */
export interface TestBuildOptions {
  plugins?: readonly PluginDefinition[];
  pluginDirs?: { code: string; assets: string };
  /** A data directory prepared before the start (external plugins in DATA_DIR/plugins); removed on close. */
  dataDir?: string;
}

export const ADMIN = { name: 'Alice Martin', email: 'alice@example.com', password: 'correct horse battery staple' };
export const PASSWORD = 'a long enough pass phrase';

/** Environment variables for a test app; pass more (SMTP_URL, PUBLIC_URL...) to override. */
export async function createTestApp(env: Record<string, string> = {}, build: TestBuildOptions = {}): Promise<TestApp> {
  const dataDir = build.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hameau-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env });
  const logs: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = await buildApp(config, { logStream, plugins: build.plugins, pluginDirs: build.pluginDirs });
  await app.ready();
  return {
    app,
    dataDir,
    config,
    logs,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Completes first-run setup through HTTP and returns the admin's session cookie. */
export async function setupOrganisation(
  app: FastifyInstance,
  overrides: Partial<{ organisationName: string; locale: Locale; name: string; email: string; password: string }> = {},
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/setup',
    payload: {
      organisationName: overrides.organisationName ?? 'Acme',
      locale: overrides.locale ?? 'en',
      timeZone: 'Europe/Paris',
      name: overrides.name ?? ADMIN.name,
      email: overrides.email ?? ADMIN.email,
      password: overrides.password ?? ADMIN.password,
      passwordConfirmation: overrides.password ?? ADMIN.password,
    },
  });
  if (response.statusCode !== 303) throw new Error(`setup failed: ${response.statusCode} ${response.body.slice(0, 500)}`);
  return sessionCookie(response);
}

/** Adds a user straight to the database (for tests about what happens after joining). */
export async function createUser(
  app: FastifyInstance,
  user: { email: string; name?: string; role?: Role; password?: string; locale?: Locale | null },
): Promise<number> {
  return insertUser(app.db, {
    email: user.email,
    name: user.name ?? user.email.split('@')[0]!,
    role: user.role ?? 'member',
    locale: user.locale ?? null,
    passwordHash: await hashPassword(user.password ?? PASSWORD),
  });
}

/** Signs in through the login form and returns the session cookie ("hameau_session=..."). */
export async function login(app: FastifyInstance, email: string, password = PASSWORD, headers: Record<string, string> = {}): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { email, password }, headers });
  if (response.statusCode !== 303) throw new Error(`login failed: ${response.statusCode}`);
  return sessionCookie(response);
}

/** The `name=value` of the session cookie a response sets. */
export function sessionCookie(response: LightMyRequestResponse): string {
  // "__Host-hameau_session" when PUBLIC_URL is https.
  const cookie = response.cookies.find((c) => c.name === 'hameau_session' || c.name === '__Host-hameau_session');
  if (!cookie || !cookie.value) throw new Error('no session cookie in response');
  return `${cookie.name}=${cookie.value}`;
}

export function setCookie(response: LightMyRequestResponse, name: string) {
  return response.cookies.find((c) => c.name === name);
}

/** Parses an HTML response body. */
export function html(response: LightMyRequestResponse): HTMLElement {
  return parse(response.body);
}

/** Visible text of the <main> landmark, whitespace folded. */
export function mainText(response: LightMyRequestResponse): string {
  return (html(response).querySelector('main')?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Follows a flash cookie: the next page's notice needs the cookie the redirect set. */
export function cookiesFrom(response: LightMyRequestResponse, ...extra: string[]): string {
  return [...extra, ...response.cookies.filter((c) => c.value).map((c) => `${c.name}=${c.value}`)].join('; ');
}
