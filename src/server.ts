// Process entry point: read configuration, build the app, listen, and stop cleanly on SIGTERM/SIGINT.
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, startupWarnings } from './config.js';

const SHUTDOWN_GRACE_MS = 9_000;

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Hameau cannot start.\n${error.message}\nSee "Configuration" in README.md.\n`);
      process.exit(1);
    }
    throw error;
  }

  const app = await buildApp(config);
  for (const warning of startupWarnings(config)) app.log.warn(warning);

  // An answer sent while stopping also closes its connection: a browser's kept-alive connection
  // would otherwise hold the server open until the grace period ends, with the database still open.
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (stopping) reply.header('Connection', 'close');
  });

  // Stop accepting connections, let in-flight requests finish, close the database, exit.
  // Past the grace period the process exits anyway, so a stop never hangs past 10 seconds.
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'stopping after an unexpected error');
    else app.log.info({ signal }, 'stopping');
    await app.close();
  });

  try {
    await app.listen({ port: config.port, host: config.host });
    app.log.info(`Hameau is ready on ${config.publicUrl}`);
  } catch (error) {
    app.log.fatal({ err: error }, 'cannot listen');
    await app.close();
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Hameau cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
