import { Argument, Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { EXIT, ExitSignal, InterruptedError, UsageError } from '../../errors.js';
import { printRows } from '../../output/print.js';
import { connectionOptions, filterOptions, integer, outputOption, type OutputFormat } from '../../options.js';
import type { ResolveOptions, ResolveResult } from './resolve.js';

interface ResolveFlags extends ResolveOptions {
  output: OutputFormat;
  dryRun?: boolean;
  yes?: boolean;
}

const EXAMPLES = `
Examples:
  $ fullstop resolve-violations -t WRONG_REGION -l 100 --since 7d 'DR region, approved'
  $ fullstop resolve-violations -i 4711,4712 'false positive'
  $ fullstop resolve-violations --accounts 123456789012 -m ami_name=another-ami --dry-run 'approved AMI'

Violations that already have a comment are skipped. On a terminal it asks before resolving (unless --yes or
--violation-ids); without one it proceeds, as the original client did. Each violation is reported resolved,
skipped, failed, or unknown (its answer was lost: the server may or may not have resolved it; it is never sent
twice). Exit status 1 when any failed or is unknown: run it again to finish the job.`;

function parseIds(value: string): number[] {
  return value
    .split(',')
    .filter((id) => id.trim() !== '')
    .map((id) => integer(1)(id));
}

function count(results: ResolveResult[], status: ResolveResult['status']): number {
  return results.filter((r) => r.status === status).length;
}

function summary(results: ResolveResult[]): string {
  const unknown = count(results, 'unknown');
  const line = `resolved ${count(results, 'resolved')}, skipped ${count(results, 'skipped')}, failed ${count(results, 'failed')}`;
  return unknown > 0 ? `${line}, unknown ${unknown}` : line;
}

async function run(comment: string, opts: ResolveFlags, ctx: Context): Promise<void> {
  if (comment.trim() === '') throw new UsageError('the comment must not be empty');
  const [{ planResolution }, { executePlan }] = await Promise.all([import('./resolve.js'), import('./execute.js')]);
  const plan = await planResolution(opts, ctx);
  for (const r of plan.done) ctx.io.err(`${r.status} ${r.id}: ${r.error ?? ''}`);

  if (opts.dryRun) {
    // The renderers (chalk, date-fns, yaml) load only when something is printed: ~50 ms of a plain batch's CPU.
    const { violationColumns } = await import('../../output/columns.js');
    const rows = [...plan.toResolve].sort((a, b) => a.id - b.id);
    await printRows(ctx, { rows, columns: violationColumns, raw: (v) => v }, opts.output);
    ctx.io.err(`dry run: would resolve ${plan.toResolve.length}, skip ${plan.done.length}; nothing was changed`);
    return;
  }

  const explicit = (opts.violationIds ?? []).length > 0;
  if (plan.toResolve.length > 0 && ctx.io.canPrompt && !opts.yes && !explicit) {
    const go = await ctx.io.prompter.confirm({
      message: `Resolve ${plan.toResolve.length} violation(s) with the comment "${comment}"?`,
      default: false,
    });
    if (!go) {
      ctx.io.err('nothing was resolved');
      return;
    }
  }

  const { results, fatal } = await executePlan(plan, comment, opts, ctx);
  const all = [...plan.done, ...results].sort((a, b) => a.id - b.id);
  if (opts.output !== 'text') {
    const columns = [
      { key: 'id', title: 'Id', value: (r: ResolveResult) => r.id },
      { key: 'status', title: 'Status', value: (r: ResolveResult) => r.status },
      { key: 'error', title: 'Error', value: (r: ResolveResult) => r.error ?? null },
    ];
    await printRows(ctx, { rows: all, columns, raw: (r) => r }, opts.output);
  }
  ctx.io.err(summary(all));
  const unknown = count(all, 'unknown');
  if (unknown > 0) {
    ctx.io.err(
      `hint: the answer for ${unknown} violation(s) was lost, so they may or may not be resolved; ` +
        'run the same command again: it skips those that are and resolves the rest',
    );
  }
  if (ctx.signal?.aborted) throw new InterruptedError('interrupted: the violations not sent yet were not resolved');
  if (fatal) throw fatal;
  if (all.some((r) => r.status === 'failed' || r.status === 'unknown')) throw new ExitSignal(EXIT.failure);
}

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('resolve-violations')
    .description('resolve violations with a comment (skips those that already have one)')
    .addArgument(new Argument('<comment>', 'the resolution comment, sent as plain text'))
    .addOption(outputOption())
    .addOption(
      new Option('-i, --violation-ids <ids>', 'resolve these violations, comma separated').argParser(parseIds),
    );
  for (const option of filterOptions(ctx.now)) command.addOption(option);
  command
    .addOption(new Option('--dry-run', 'list what would be resolved and change nothing'))
    .addOption(new Option('-y, --yes', 'do not ask for confirmation'))
    .addOption(
      new Option('--concurrency <n>', 'requests at once (a request resolves up to 250 on fullstop server, else one)')
        .argParser(integer(1))
        .default(8),
    );
  for (const option of connectionOptions()) command.addOption(option);
  command.addHelpText('after', EXAMPLES).action((comment: string, opts: ResolveFlags) => run(comment, opts, ctx));
}
