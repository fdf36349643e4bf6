/**
 * Help topics (`fullstop help environment`, `fullstop help exit-codes`): every environment variable and every
 * exit code, documented in one place, as gh does. Plain strings, so printing help loads nothing else.
 */

export const ENVIRONMENT_TOPIC = `Environment variables

Flags beat environment variables, which beat the config file (config.json in the settings directory), which
beats the defaults.

Client (every command that talks to a server):
  FULLSTOP_URL            server URL; overrides the profile's url
  FULLSTOP_ACCOUNTS       default AWS account ids, comma separated; overrides the profile's accounts,
                          --accounts overrides it
  FULLSTOP_TOKEN          bearer token; --token overrides it
  FULLSTOP_TOKEN_COMMAND  command that prints a bearer token (e.g. 'zign token -n fullstop'), run when no token
                          is given; overrides the profile's token_command
  FULLSTOP_TIMEOUT        seconds to wait for each answer (default 30); --timeout overrides it
  FULLSTOP_PROFILE        the profile to use when --profile is not given (default: default)
  FULLSTOP_CONFIG_DIR     settings directory (default: $XDG_CONFIG_HOME/fullstop, else ~/.config/fullstop); it
                          holds config.json and cache/ (violation types for shell completion, kept a day)
  XDG_CONFIG_HOME         see FULLSTOP_CONFIG_DIR; the original client's fullstop.yaml is read from
                          $XDG_CONFIG_HOME/fullstop (else ~/.config/fullstop) until config.json exists
  FULLSTOP_DEBUG=1        print the stack trace of an error
  NO_COLOR                no colours (any non-empty value); colours are used on a terminal only
  FORCE_COLOR             1 forces colours, 0 turns them off; wins over NO_COLOR
  TERM=dumb               no colours

Server and store (fullstop server, ingest, migrate, export, import):
  FULLSTOP_SERVER_HOST    default for --host (127.0.0.1)
  FULLSTOP_SERVER_PORT    default for --port (8080)
  FULLSTOP_SERVER_CONFIG  default for --config
  FULLSTOP_DB             default for --db: sqlite:PATH or postgres://… (sqlite:$XDG_DATA_HOME/fullstop/
                          fullstop.db, else sqlite:~/.local/share/fullstop/fullstop.db)
  XDG_DATA_HOME           see FULLSTOP_DB
  FULLSTOP_LOG_LEVEL      server log level (default info)
  FULLSTOP_S3_ENDPOINT    S3-compatible endpoint for s3:// sources (--endpoint-url overrides it)
  FULLSTOP_S3_REGION      region for s3:// sources
  FULLSTOP_SQS_ENDPOINT   endpoint for sqs:// sources (default: from the queue URL)
  FULLSTOP_SQS_REGION     region for sqs:// sources (default: from the queue URL)
  AWS_*                   AWS credentials, profile and endpoints, read by the AWS SDK's default chain (e.g.
                          AWS_PROFILE, AWS_ENDPOINT_URL_S3)

Profiles: \`fullstop --profile prod configure\` stores a second server's settings; \`fullstop --profile prod
list-violations\` (or FULLSTOP_PROFILE=prod) uses them. The default profile's settings are the top-level keys of
config.json, where they always were.`;

export const EXIT_CODES_TOPIC = `Exit codes

  0    success, also when nothing matched; watch stopped with Ctrl-C or SIGTERM
  1    failure: server or network error (reads after 3 retries of network errors, 429, 502, 503, 504), a
       violation or rule that does not exist, any violation that could not be resolved or whose answer was
       lost (run the same command again: it skips what is resolved)
  2    usage error: bad flag or value, missing argument, unknown violation type, no server URL configured, an
       unknown profile
  3    violations found (list-violations --exit-code)
  4    the server refused the token (HTTP 401) or its rights (HTTP 403; managing whitelisting rules needs one of
       the server's allowed teams)
  130  interrupted (Ctrl-C), except for watch`;

/** The topics `fullstop help TOPIC` knows, with a one-line summary each. */
export const HELP_TOPICS: Record<string, { summary: string; text: string }> = {
  environment: { summary: 'environment variables and profiles', text: ENVIRONMENT_TOPIC },
  'exit-codes': { summary: 'what each exit status means', text: EXIT_CODES_TOPIC },
};

/** The epilogue of every help page. */
export const ENVIRONMENT_HELP = `
Every command also takes --profile NAME: the settings of that profile (default: FULLSTOP_PROFILE, else default).

Learn more:
  fullstop help environment   environment variables and profiles (FULLSTOP_URL, FULLSTOP_TOKEN, …)
  fullstop help exit-codes    what each exit status means (0, 1, 2, 3, 4, 130)`;
