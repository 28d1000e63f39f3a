// The mailer facing a mail server that never answers: each send gives up after its timeouts,
// resolves false and says so in the log, instead of hanging with whatever waits on it.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createMailer, SMTP_TIMEOUTS } from '../../src/mail/mailer.js';

describe('mailer', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A TCP server on loopback that accepts connections and never sends a byte. */
  async function silentServer(): Promise<string> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    return `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function capturingLogger() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    return { logger: pino({ level: 'info' }, stream), lines };
  }

  it('waits 10 seconds at most to connect, for the greeting, and at each later step', () => {
    expect(SMTP_TIMEOUTS).toEqual({ connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 });
  });

  it('gives up on a server that never greets, resolves false, and logs the address but not the message', async () => {
    const smtpUrl = await silentServer();
    const { logger, lines } = capturingLogger();
    const mailer = createMailer({
      smtpUrl,
      from: 'Hameau <hameau@example.com>',
      logger,
      timeouts: { connectionTimeout: 300, greetingTimeout: 300, socketTimeout: 300 },
    });
    cleanups.push(() => mailer.close());

    const sent = await mailer.send({ to: 'bruno@example.com', subject: 'Choose a new password', text: 'https://intranet.example.com/password/reset/secret' });
    expect(sent).toBe(false);
    const logged = lines.find((line) => line.msg === 'email could not be sent');
    expect(logged).toMatchObject({ level: 50, to: 'bruno@example.com' });
    expect(JSON.stringify(logged)).toMatch(/greeting|timeout/i);
    expect(JSON.stringify(lines)).not.toContain('/password/reset/secret');
  });
});
