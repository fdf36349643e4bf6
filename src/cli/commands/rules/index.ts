import { Argument, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import {
  connectionOptions,
  integer,
  outputOption,
  parser,
  type ConnectionOptions,
  type OutputFormat,
} from '../../options.js';
import { parseTimeSpec } from '../../time-spec.js';
import { ruleOptions } from './flags.js';
import type { WriteOptions } from './write.js';

interface OutputOptions extends ConnectionOptions {
  output: OutputFormat;
}

const HELP = `
Examples:
  $ fullstop rules list
  $ fullstop rules add --type WRONG_AMI --account 123456789012 --image-name 'taupage-.*' --reason 'approved AMIs' --dry-run
  $ fullstop rules update 12 --expires 30d
  $ fullstop rules expire 12 --at 2024-12-31

A whitelisting rule resolves new violations automatically ("Whitelisted automatically because of:" and its
reason) when every criterion it has holds; a rule without criteria matches nothing. Rules never change:
update expires the rule and creates a replacement (a new id); expire moves a future expiry. Managing rules
needs a team the server allows (whitelist.allowed_teams; in the original, stups).`;

const ADD_EXAMPLES = `
Examples:
  $ fullstop rules add --type WRONG_REGION --account 123456789012 --region us-east-1 --reason 'DR region, SEC-42'
  $ fullstop rules add --type WRONG_AMI --image-name 'taupage-.*-hvm' --image-owner 123456789012 --reason 'approved AMIs' --expires 90d
  $ fullstop rules add --type PASSWORD_USED --meta-path '$[?(@.user_name =~ /ses\\.ci-master-.+/)]' --reason 'CI users' --dry-run

Prints the new rule's id. --dry-run sends nothing: it prints the open violations the rule matches (evaluated
here, as the server evaluates new ones: --image-name must match the whole ami_name, --meta-path is a Jayway
JsonPath that must find something), then a summary on stderr.`;

const UPDATE_EXAMPLES = `
Examples:
  $ fullstop rules update 12 --reason 'approved until the migration, SEC-77' --expires 2024-12-31
  $ fullstop rules update 12 --region ''          # '' clears a field
  $ fullstop rules update 12 --image-name 'taupage-.*' --dry-run

The server expires rule ID and creates its replacement from the old rule's fields with the given ones changed;
the new rule's id is printed. An expiry still ahead is kept unless --expires is given.`;

const EXPIRE_EXAMPLES = `
Examples:
  $ fullstop rules expire 12                      # in a minute, the server's default
  $ fullstop rules expire 12 --at 7d
  $ fullstop rules expire 12 --at 2024-12-31T18:00:00Z

Both the new expiry and the rule's current one must lie in the future: an expired rule stays expired.`;

const LIST_EXAMPLES = `
Examples:
  $ fullstop rules list
  $ fullstop rules list --all -o json | jq '.[] | select(.violation_type_entity_id == null)'`;

const SHOW_EXAMPLES = `
Examples:
  $ fullstop rules show 12
  $ fullstop rules show 12 -o json`;

const idArgument = () => new Argument('<id>', 'rule id').argParser(integer(1));

function withCommon(command: Command, help: string): Command {
  command.addOption(outputOption());
  for (const option of connectionOptions()) command.addOption(option);
  return command.addHelpText('after', help);
}

export function register(program: Command, ctx: Context): void {
  const rules = program
    .command('rules')
    .description('list, show, add, update and expire whitelisting rules')
    .helpCommand(false)
    .addHelpText('after', HELP);

  withCommon(
    rules.command('list').alias('ls').description('list the rules in force (--all: expired ones too)'),
    LIST_EXAMPLES,
  )
    .addOption(new Option('--all', 'include expired rules'))
    .action(async (opts: OutputOptions & { all?: boolean }) => {
      const client = await ctx.client(opts);
      const { isActive } = await import('./lookup.js');
      const now = ctx.now();
      const rules = (await client.listWhitelistingRules())
        .filter((rule) => opts.all || isActive(rule, now))
        .sort((a, b) => a.id - b.id);
      const { printRules } = await import('./view.js');
      await printRules(rules, opts.output, ctx);
      if (rules.length === 0 && ctx.io.stderrIsTTY) ctx.io.err(opts.all ? 'No rules.' : 'No rules in force.');
    });

  withCommon(rules.command('show').description('show one rule').addArgument(idArgument()), SHOW_EXAMPLES).action(
    async (id: number, opts: OutputOptions) => {
      const [{ fetchRule }, { printRule }] = await Promise.all([import('./lookup.js'), import('./view.js')]);
      await printRule(await fetchRule(await ctx.client(opts), id), opts.output, ctx);
    },
  );

  const write = (name: 'add' | 'update', description: string, help: string) => {
    const command = rules.command(name).description(description);
    if (name === 'update') command.addArgument(idArgument());
    for (const option of ruleOptions(ctx.now, name === 'add')) command.addOption(option);
    command.addOption(new Option('--dry-run', 'send nothing: print the open violations the rule matches'));
    return withCommon(command, help);
  };
  write('add', 'create a rule', ADD_EXAMPLES).action(async (opts: WriteOptions & OutputOptions) => {
    const [{ addRule }, { reportWrite }] = await Promise.all([import('./write.js'), import('./report.js')]);
    await reportWrite(await addRule(opts, ctx), opts.output, ctx);
  });
  write('update', 'replace a rule with a changed copy (prints the new id)', UPDATE_EXAMPLES).action(
    async (id: number, opts: WriteOptions & OutputOptions) => {
      const [{ updateRule }, { reportWrite }] = await Promise.all([import('./write.js'), import('./report.js')]);
      await reportWrite(await updateRule(id, opts, ctx), opts.output, ctx);
    },
  );

  const at = parser((value) => {
    const date = parseTimeSpec(value, ctx.now(), 'future');
    if (date.getTime() <= ctx.now().getTime()) throw new UsageError(`must lie in the future: ${date.toISOString()}`);
    return date;
  });
  withCommon(
    rules
      .command('expire')
      .description('let a rule expire (in a minute, or --at a future time)')
      .addArgument(idArgument())
      .addOption(
        new Option('--at <time_spec>', 'when: 2h, 7d, an ISO date or date-time (default: in a minute)').argParser(at),
      ),
    EXPIRE_EXAMPLES,
  ).action(async (id: number, opts: OutputOptions & { at?: Date }) => {
    const [{ expireRule }, { printRule }] = await Promise.all([import('./expire.js'), import('./view.js')]);
    const rule = await expireRule(id, opts, ctx);
    ctx.io.err(`Rule ${id} expires at ${rule.expiry_date}`);
    if (opts.output !== 'text') await printRule(rule, opts.output, ctx);
  });
}
