import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BUILTIN_TEMPLATES } from '../../core/llm/templates';
import { writeFileAtomic } from '../../core/util/atomicWrite';

export function registerTemplates(program: Command): void {
  program
    .command('templates')
    .description('Write the built-in prompt templates into the workspace, to edit (bump `version:` to regenerate cached texts).')
    .option('--out <dir>', 'folder to write item.prompt.md and user.prompt.md into', '.grasp/templates')
    .option('--force', 'replace templates that already exist')
    .action(async (flags: { out: string; force?: boolean }) => {
      for (const entity of ['item', 'user'] as const) {
        const path = join(resolve(flags.out), `${entity}.prompt.md`);
        if (existsSync(path) && !flags.force) {
          process.stdout.write(`kept ${path} (exists; --force replaces it)\n`);
          continue;
        }
        await writeFileAtomic(path, BUILTIN_TEMPLATES[entity]);
        process.stdout.write(`wrote ${path}\n`);
      }
    });
}
