/** The help epilogue every command shows: environment variables and exit codes, documented in one place. */

export const ENVIRONMENT_HELP = `
Environment variables:
  FULLSTOP_URL            server URL (overrides the config file)
  FULLSTOP_ACCOUNTS       default AWS account ids, comma separated (overrides the config file)
  FULLSTOP_TOKEN          bearer token (--token overrides it)
  FULLSTOP_TOKEN_COMMAND  command that prints a bearer token, run when no token is given
                          (overrides token_command in the config file)
  FULLSTOP_TIMEOUT        seconds to wait for an answer (default 30; --timeout overrides it)
  FULLSTOP_CONFIG_DIR     settings directory (default: $XDG_CONFIG_HOME/fullstop or ~/.config/fullstop)
  FULLSTOP_DEBUG=1        print stack traces of errors
  NO_COLOR                no colours; FORCE_COLOR=1 forces them, FORCE_COLOR=0 turns them off
  Server and store (fullstop server, ingest, migrate, export, import):
  FULLSTOP_SERVER_HOST, FULLSTOP_SERVER_PORT, FULLSTOP_SERVER_CONFIG, FULLSTOP_DB
                          defaults for --host, --port, --config and --db
  FULLSTOP_LOG_LEVEL      server log level (default info)
  FULLSTOP_S3_ENDPOINT, FULLSTOP_S3_REGION
                          S3-compatible endpoint and region for s3:// sources
  FULLSTOP_SQS_ENDPOINT, FULLSTOP_SQS_REGION
                          endpoint and region for sqs:// sources (default: from the queue URL)
  AWS_*                   AWS credentials and profile, read by the AWS SDK's default chain

Exit codes:
  0    success, also when nothing matched
  1    failure: server or network error, or any violation that failed or whose answer was lost
  2    usage error: bad flag or value, or no server URL configured
  3    violations found (list-violations --exit-code)
  4    the server refused the token (HTTP 401 or 403)
  130  interrupted (Ctrl-C)`;
