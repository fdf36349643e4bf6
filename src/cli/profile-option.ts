/**
 * `--profile NAME`, one option of the whole program: commander accepts it before or after the command
 * (`fullstop --profile prod rules list`, `fullstop rules list --profile prod`). It is handed to the context before
 * any action runs, so every command reads that profile's settings without knowing about profiles.
 */
import { Option, type Command } from 'commander';
import type { Context } from './context.js';
import { parser } from './options.js';
import { parseProfileName } from './settings.js';

export function register(program: Command, ctx: Context): void {
  program
    .addOption(
      new Option(
        '--profile <name>',
        'use the settings of this profile (default: FULLSTOP_PROFILE, else default)',
      ).argParser(parser((value) => parseProfileName(value))),
    )
    .hook('preAction', (_program, action) => {
      ctx.selectProfile(action.optsWithGlobals<{ profile?: string }>().profile);
    });
}
