// Configuration from environment variables: sensible defaults, and a clear message naming the
// variable for every bad value (all of them at once, so a start-up is not fixed one error at a time).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startupWarnings } from '../../src/config.js';

/** The message loadConfig throws for `env`, or fails the test when it does not throw. */
function problemWith(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/srv/hameau');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has defaults that run Hameau on a laptop', () => {
    const config = loadConfig({}, '/srv/hameau');
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      dataDir: path.resolve('/srv/hameau', 'data'),
      publicUrl: 'http://localhost:3000',
      secureCookies: false,
      smtpUrl: null,
      logLevel: 'info',
      sqliteSynchronous: 'NORMAL',
      trustProxy: false,
      uploadMaxBytes: 20 * 1024 * 1024,
      cacheTemplates: true,
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('treats empty and blank variables as unset', () => {
    expect(loadConfig({ PORT: '', DATA_DIR: '  ', PUBLIC_URL: '', SMTP_URL: ' ' }, '/srv/hameau')).toMatchObject({
      port: 3000,
      dataDir: '/srv/hameau/data',
      publicUrl: 'http://localhost:3000',
      smtpUrl: null,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '127.0.0.1',
        DATA_DIR: 'var/hameau',
        PUBLIC_URL: 'https://intranet.example.com/',
        SMTP_URL: 'smtps://user:pass@mail.example.com:465',
        SMTP_FROM: 'Intranet <intranet@example.com>',
        LOG_LEVEL: 'WARN',
        SQLITE_SYNCHRONOUS: 'full',
        TRUST_PROXY: '10.0.0.2',
        UPLOAD_MAX_MB: '5',
      },
      '/srv/hameau',
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/hameau/var/hameau',
      publicUrl: 'https://intranet.example.com',
      secureCookies: true,
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      smtpFrom: 'Intranet <intranet@example.com>',
      logLevel: 'warn',
      sqliteSynchronous: 'FULL',
      trustProxy: ['10.0.0.2'],
      uploadMaxBytes: 5 * 1024 * 1024,
    });
  });

  it('follows PORT in the default public address', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('keeps an absolute DATA_DIR as it is', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/hameau' }, '/srv/hameau').dataDir).toBe('/var/lib/hameau');
  });

  it('marks cookies Secure only for an https public address', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://intranet.example.com' }).secureCookies).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'http://intranet.example.com' }).secureCookies).toBe(false);
    expect(loadConfig({ PUBLIC_URL: 'http://192.168.1.10:3000' }).secureCookies).toBe(false);
  });

  it('accepts PUBLIC_URL with or without the root slash, and drops it', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://intranet.example.com/' }).publicUrl).toBe('https://intranet.example.com');
    expect(loadConfig({ PUBLIC_URL: 'https://intranet.example.com:8443' }).publicUrl).toBe('https://intranet.example.com:8443');
  });

  it.each(['https://example.com/intranet', 'https://example.com/intranet/', 'http://example.com//'])(
    'refuses a PUBLIC_URL with a path (%s): every page and file is served from the root',
    (value) => {
      const error = problemWith({ PUBLIC_URL: value });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(/^PUBLIC_URL must be the root address of Hameau, without a path/);
      expect(error.problems[0]).toContain(`(got "${value}")`);
      expect(error.problems[0]).toContain('https://intranet.example.com');
    },
  );

  it.each([
    ['PORT', 'abc', /PORT must be a whole number from 1 to 65535 \(got "abc"\)/],
    ['PORT', '70000', /PORT must be a whole number from 1 to 65535 \(got "70000"\)/],
    ['PORT', '0', /PORT .*"0"/],
    ['PORT', '80.5', /PORT .*"80\.5"/],
    ['PORT', '-1', /PORT .*"-1"/],
    ['PUBLIC_URL', 'ftp://x', /PUBLIC_URL must be an absolute http or https address .*\(got "ftp:\/\/x"\)/],
    ['PUBLIC_URL', 'intranet.example.com', /PUBLIC_URL .*"intranet\.example\.com"/],
    ['PUBLIC_URL', 'https://example.com/?a=b', /PUBLIC_URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/],
    ['SQLITE_SYNCHRONOUS', 'maybe', /SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA \(got "MAYBE"\)/],
    ['SMTP_URL', 'http://x', /SMTP_URL must look like smtp:\/\//],
    ['SMTP_URL', 'not a url', /SMTP_URL/],
    ['SMTP_FROM', 'nobody', /SMTP_FROM must be an email address/],
    ['TRUST_PROXY', 'perhaps', /TRUST_PROXY must be a comma-separated list of the addresses or networks of your reverse proxies: .*\(got "perhaps"\)/],
    ['TRUST_PROXY', '10.0.0.300', /TRUST_PROXY .*\(got "10\.0\.0\.300"\)/],
    ['TRUST_PROXY', '10.0.0.0/33', /TRUST_PROXY .*\(got "10\.0\.0\.0\/33"\)/],
    ['TRUST_PROXY', '10.0.0.1,,10.0.0.2', /TRUST_PROXY/],
    ['TRUST_PROXY', '-1', /TRUST_PROXY/],
    ['TRUST_PROXY', '1', /TRUST_PROXY takes the addresses of your reverse proxies, not a number of them: .*X-Forwarded-For.*TRUST_PROXY=127\.0\.0\.1.*\(got "1"\)/],
    ['TRUST_PROXY', '2', /TRUST_PROXY takes the addresses .*\(got "2"\)/],
    ['UPLOAD_MAX_MB', '0', /UPLOAD_MAX_MB must be a whole number of megabytes from 1 to 1024 \(got "0"\)/],
    ['UPLOAD_MAX_MB', '2.5', /UPLOAD_MAX_MB .*"2\.5"/],
    ['UPLOAD_MAX_MB', '5000', /UPLOAD_MAX_MB .*"5000"/],
    ['HAMEAU_PLUGINS', 'Polls', /HAMEAU_PLUGINS must be a comma-separated list of plugin ids such as polls,links .*\(got "Polls"\)/],
    ['HAMEAU_PLUGINS', 'links;polls', /HAMEAU_PLUGINS .*"links;polls"/],
  ])('explains a bad %s (%s)', (name, value, message) => {
    const error = problemWith({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(message);
    expect(error.problems[0]!.startsWith(name)).toBe(true);
    expect(error.message).toContain(error.problems[0]);
  });

  it('reads HAMEAU_PLUGINS: unset lets admins decide; a list pins those plugins; "none" pins none', () => {
    expect(loadConfig({}).pinnedPlugins).toBeNull();
    expect(loadConfig({ HAMEAU_PLUGINS: ' links , polls,links ' }).pinnedPlugins).toEqual(['links', 'polls']);
    expect(loadConfig({ HAMEAU_PLUGINS: 'none' }).pinnedPlugins).toEqual([]);
  });

  it('never repeats an SMTP password in its message', () => {
    const error = problemWith({ SMTP_URL: 'http://user:very-secret@mail.example.com' });
    expect(error.message).toContain('SMTP_URL');
    expect(error.message).not.toContain('very-secret');
  });

  it('reports every problem at once, one per line', () => {
    const error = problemWith({ PORT: 'abc', PUBLIC_URL: 'ftp://x', LOG_LEVEL: 'loud', SQLITE_SYNCHRONOUS: 'maybe', SMTP_URL: 'http://x', TRUST_PROXY: 'perhaps' });
    expect(error.problems.map((p) => p.split(' ')[0])).toEqual(['PORT', 'PUBLIC_URL', 'SMTP_URL', 'LOG_LEVEL', 'SQLITE_SYNCHRONOUS', 'TRUST_PROXY']);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.slice(1)).toHaveLength(6);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}- [A-Z_]+ /);
  });

  it.each([
    ['10.0.0.2', ['10.0.0.2']],
    [' 10.0.0.2 , 192.168.0.0/16,fd00::/8 ', ['10.0.0.2', '192.168.0.0/16', 'fd00::/8']],
    ['::1', ['::1']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
    ['0', false],
    ['false', false],
    ['no', false],
    ['OFF', false],
  ])('reads TRUST_PROXY=%s as %j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['true', 'TRUE', 'yes', 'on'])('refuses TRUST_PROXY=%s, which would trust any address a client writes, and says what to write', (value) => {
    const error = problemWith({ TRUST_PROXY: value });
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems as [string];
    expect(problem.startsWith('TRUST_PROXY cannot be "true"')).toBe(true);
    expect(problem).toContain(`(got "${value}")`);
    expect(problem).toContain('X-Forwarded-For');
    expect(problem).toContain('TRUST_PROXY=127.0.0.1');
    expect(problem).toMatch(/TRUST_PROXY=10\.0\.0\.2/);
  });

  describe('start-up warnings', () => {
    it('warns that links point to localhost when PUBLIC_URL is unset and Hameau listens beyond this machine', () => {
      for (const env of [{}, { HOST: '0.0.0.0' }, { HOST: '192.168.1.10' }, { HOST: '::' }]) {
        const warnings = startupWarnings(loadConfig(env));
        expect(warnings, JSON.stringify(env)).toHaveLength(1);
        expect(warnings[0]).toMatch(/PUBLIC_URL is not set/);
        expect(warnings[0]).toContain('http://localhost:3000');
        expect(warnings[0]).toMatch(/emails/);
        expect(warnings[0]).toMatch(/admin/);
      }
    });

    it('says nothing when PUBLIC_URL is set, or when Hameau only listens on this machine', () => {
      expect(startupWarnings(loadConfig({ PUBLIC_URL: 'https://intranet.example.com' }))).toEqual([]);
      for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '::ffff:127.0.0.1']) {
        expect(startupWarnings(loadConfig({ HOST: host })), host).toEqual([]);
      }
    });
  });

  it('turns template caching off only for npm run dev', () => {
    expect(loadConfig({ HAMEAU_DEV: '1' }).cacheTemplates).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).cacheTemplates).toBe(true);
  });
});
