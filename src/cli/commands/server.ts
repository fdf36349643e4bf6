import { Option, type Command } from 'commander';
import type { Context } from '../context.js';
import { CliError, UsageError } from '../errors.js';

const EXAMPLES = `
Examples:
  $ fullstop server --config /etc/fullstop/server.yaml
  $ fullstop server --no-auth --db sqlite:./demo.db        # local demo: every caller is "local"
  $ fullstop server --config server.yaml --db 'postgres://fullstop@db.example.org/fullstop'   # one of several replicas
  $ FULLSTOP_SERVER_PORT=9090 fullstop server --config server.yaml`;

interface ServerCommandOptions {
  host?: string;
  port?: string;
  db?: string;
  config?: string;
  auth: boolean;
  ingest: string[];
}

export function register(program: Command, ctx: Context): void {
  program
    .command('server')
    .description('run the fullstop REST API server (SQLite or PostgreSQL store)')
    .addOption(new Option('--host <host>', 'address to listen on (default 127.0.0.1)').env('FULLSTOP_SERVER_HOST'))
    .addOption(new Option('--port <port>', 'port to listen on (default 8080)').env('FULLSTOP_SERVER_PORT'))
    .addOption(
      new Option(
        '--db <url>',
        'database: sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DATABASE (default sqlite:$XDG_DATA_HOME/fullstop/fullstop.db)',
      ).env('FULLSTOP_DB'),
    )
    .addOption(
      new Option('--config <file>', 'YAML config file: auth, whitelist, ingest, rules').env('FULLSTOP_SERVER_CONFIG'),
    )
    .option('--no-auth', 'no token checks: every caller is "local" (loopback addresses only)')
    .option(
      '--ingest <source>',
      'keep ingesting this source (repeatable): folder, s3://bucket/prefix or sqs://QUEUE_URL',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .addHelpText('after', EXAMPLES)
    .action(async (opts: ServerCommandOptions) => {
      // The one way in to the server code: the CLI's other commands never load fastify or SQLite.
      const { runServer, ServerConfigError, StoreOpenError } = await import('../../server/main.js');
      try {
        await runServer(
          { host: opts.host, port: opts.port, db: opts.db, config: opts.config, auth: opts.auth, ingest: opts.ingest },
          ctx.env,
        );
      } catch (error) {
        if (error instanceof ServerConfigError) throw new UsageError(error.message);
        // The database is down or refuses us: not a usage error, and no stack trace to ask for.
        if (error instanceof StoreOpenError) throw new CliError(error.message);
        throw error;
      }
    });
}
