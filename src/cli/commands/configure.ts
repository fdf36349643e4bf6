import { Option, type Command } from 'commander';
import { saveFileSettings, loadFileSettings } from '../config-store.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { checkUrl, DEFAULT_PROFILE, parseAccounts, type FileSettings } from '../settings.js';

export interface ConfigureOptions {
  url?: string;
  accounts?: string;
}

const EXAMPLES = `
Examples:
  $ fullstop configure
  $ fullstop configure --url https://fullstop.example.org --accounts 123456789012,210987654321
  $ fullstop --profile prod configure --url https://fullstop.prod.example.org --accounts 123456789012

--profile NAME (or FULLSTOP_PROFILE) stores a second server's settings beside the default ones; commands use
them with the same --profile. See \`fullstop help environment\`.`;

function validAccounts(text: string): true | string {
  try {
    return parseAccounts(text, 'accounts').length > 0 ? true : 'enter at least one account id';
  } catch (error) {
    return (error as Error).message;
  }
}

/** `fullstop.example.org` means `https://fullstop.example.org`, as the original's prompt (clickclick UrlType) read it. */
function withScheme(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' || trimmed.includes('://') ? trimmed : `https://${trimmed}`;
}

/** Asks for (on a terminal) or takes (from flags) the URL and accounts, stores them, and returns what was stored. */
export async function configure(
  opts: ConfigureOptions,
  ctx: Context,
): Promise<{ path: string; profile: string; settings: FileSettings }> {
  const profile = ctx.profile();
  const current = await loadFileSettings(ctx.configDir, ctx.legacyConfigPath, profile, true);
  let url = opts.url;
  let accounts = opts.accounts;
  const missing = [url === undefined && '--url', accounts === undefined && '--accounts'].filter(Boolean);
  if (missing.length > 0 && !ctx.io.canPrompt) {
    throw new UsageError(`${missing.join(' and ')} required when not running in a terminal`, {
      hint: 'fullstop configure --url URL --accounts ID[,ID…]',
    });
  }
  url ??= await ctx.io.prompter.input({
    message: 'Fullstop URL',
    default: current.url,
    validate: (text) => checkUrl(withScheme(text)),
  });
  accounts ??= await ctx.io.prompter.input({
    message: 'AWS account IDs (comma separated)',
    default: current.accounts?.join(','),
    validate: validAccounts,
  });
  url = withScheme(url);
  const urlCheck = checkUrl(url);
  if (urlCheck !== true) throw new UsageError(`--url: ${urlCheck}`);
  const settings = { url: url.replace(/\/+$/, ''), accounts: parseAccounts(accounts) };
  if (settings.accounts.length === 0) throw new UsageError('--accounts: enter at least one account id');
  const path = await saveFileSettings(ctx.configDir, settings, profile, ctx.legacyConfigPath);
  return { path, profile, settings };
}

export function register(program: Command, ctx: Context): void {
  program
    .command('configure')
    .description('set the server URL and your AWS accounts (prompts on a terminal)')
    .addOption(new Option('--url <url>', 'fullstop server URL, http(s)'))
    .addOption(new Option('--accounts <ids>', 'AWS account ids (12 digits), comma separated'))
    .addHelpText('after', EXAMPLES)
    .action(async (opts: ConfigureOptions) => {
      const { path, profile, settings } = await configure(opts, ctx);
      const where = profile === DEFAULT_PROFILE ? path : `${path} (profile ${profile})`;
      ctx.io.err(`Stored ${settings.url} and ${settings.accounts?.length ?? 0} account(s) in ${where}`);
    });
}
