import { readFile } from 'node:fs/promises';
import { sha256Hex } from '../util/hash';
import { ITEM_TEMPLATE, USER_TEMPLATE } from './builtinTemplates';
import type { EntityInput, ItemInput, UserInput } from './inputs';
import type { Entity } from './schema';
import { ConfigError } from '../util/errors';

/**
 * A prompt template: a small front matter (name, entity, version, max_tokens), then a `# system`
 * and a `# user` section. `{{name}}` placeholders are filled in one pass with the entity's data, so
 * dataset text can never be read as a placeholder or as template syntax.
 */
export interface PromptTemplate {
  name: string;
  entity: Entity;
  version: number;
  maxTokens: number;
  system: string;
  user: string;
  /** Where it came from ("built-in" or a file path), and a hash of its text for the record. */
  source: string;
  hash: string;
}

export interface RenderedPrompt {
  system: string;
  user: string;
  maxTokens: number;
}

const PLACEHOLDERS: Record<Entity, string[]> = {
  item: ['fields', 'title'],
  user: ['history', 'history_count', 'train_length'],
};

export const BUILTIN_TEMPLATES: Record<Entity, string> = { item: ITEM_TEMPLATE, user: USER_TEMPLATE };

/** Parses template text; any problem is reported with the file and line so it can be fixed. */
export function parseTemplate(text: string, source: string): PromptTemplate {
  const fail = (line: number | undefined, message: string): never => {
    throw new ConfigError(`${source}${line === undefined ? '' : `:${line}`}: ${message}`);
  };
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[0]?.trim() !== '---') fail(1, 'a template starts with a `---` front matter line');
  const end = lines.indexOf('---', 1);
  if (end < 0) fail(undefined, 'the front matter has no closing `---` line');
  const meta: Record<string, string> = {};
  for (let i = 1; i < end; i++) {
    if (lines[i].trim() === '') continue;
    const match = /^([a-z_]+):\s*(.*)$/.exec(lines[i].trim());
    if (!match) fail(i + 1, `expected \`key: value\`, found ${JSON.stringify(lines[i].slice(0, 40))}`);
    meta[match![1]] = match![2].trim();
  }
  const entity = meta.entity;
  if (entity !== 'item' && entity !== 'user') fail(undefined, '`entity:` must be item or user');
  const version = Number(meta.version);
  if (!Number.isInteger(version) || version < 1) fail(undefined, '`version:` must be a positive integer (it is part of the cache key)');
  const maxTokens = meta.max_tokens === undefined ? 600 : Number(meta.max_tokens);
  if (!Number.isInteger(maxTokens) || maxTokens < 16 || maxTokens > 64_000) fail(undefined, '`max_tokens:` must be an integer between 16 and 64000');
  if (!meta.name || !/^[A-Za-z0-9._-]+$/.test(meta.name)) fail(undefined, '`name:` must be a word of letters, digits, `.`, `_` or `-`');

  const sections: Record<string, string[]> = {};
  let current: string | undefined;
  for (let i = end + 1; i < lines.length; i++) {
    const heading = /^#\s+(system|user)\s*$/.exec(lines[i]);
    if (heading) {
      current = heading[1];
      if (sections[current]) fail(i + 1, `a second \`# ${current}\` section`);
      sections[current] = [];
    } else if (current) {
      sections[current].push(lines[i]);
    } else if (lines[i].trim() !== '') {
      fail(i + 1, 'text before the first `# system` or `# user` heading');
    }
  }
  if (!sections.user) fail(undefined, 'a `# user` section is required');
  const template: PromptTemplate = {
    name: meta.name,
    entity: entity as Entity,
    version,
    maxTokens,
    system: (sections.system ?? []).join('\n').trim(),
    user: sections.user.join('\n').trim(),
    source,
    hash: sha256Hex(text).slice(0, 16),
  };
  for (const part of [template.system, template.user]) {
    for (const [, name] of part.matchAll(/\{\{\s*([A-Za-z_]+)\s*\}\}/g)) {
      if (!PLACEHOLDERS[template.entity].includes(name))
        fail(undefined, `unknown placeholder {{${name}}} (an ${template.entity} template knows ${PLACEHOLDERS[template.entity].join(', ')})`);
    }
  }
  return template;
}

export async function loadTemplate(entity: Entity, path?: string): Promise<PromptTemplate> {
  if (!path) return parseTemplate(BUILTIN_TEMPLATES[entity], `built-in ${entity} template`);
  const template = parseTemplate(await readFile(path, 'utf8'), path);
  if (template.entity !== entity) throw new ConfigError(`${path}: this is a template for ${template.entity}s, not ${entity}s`);
  return template;
}

export function renderPrompt(template: PromptTemplate, entity: EntityInput): RenderedPrompt {
  const values = entity.entity === 'item' ? itemValues(entity.input as ItemInput) : userValues(entity.input as UserInput);
  const fill = (text: string): string => text.replace(/\{\{\s*([A-Za-z_]+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
  return { system: fill(template.system), user: fill(template.user), maxTokens: template.maxTokens };
}

function itemValues(input: ItemInput): Record<string, string> {
  const fields = input.fields.length === 0 ? '(no metadata)' : input.fields.map(([name, value]) => `${name}: ${value}`).join('\n');
  return { fields, title: input.fields.find(([name]) => name === 'title')?.[1] ?? '' };
}

function userValues(input: UserInput): Record<string, string> {
  return {
    history: input.titles.map((title, i) => `${i + 1}. ${title}`).join('\n'),
    history_count: String(input.titles.length),
    train_length: String(input.trainLength),
  };
}
