import { createHash } from 'node:crypto';
import * as add from './add.js';
import * as collection from './collection.js';
import * as digest from './digest.js';
import * as ask from './ask.js';
import * as summary from './summary.js';
import * as timeline from './timeline.js';
import * as verify from './verify.js';
import * as who from './who.js';
import type { SlashCommand } from '../src/discord/context.js';

/** Every slash command of the bot, by name. */
export const COMMANDS: ReadonlyMap<string, SlashCommand> = new Map(([ask, summary, who, timeline, verify, add, collection, digest] satisfies SlashCommand[]).map((c) => [c.data.name, c]));

export function commandDefinitions() {
  return [...COMMANDS.values()].map((c) => c.data.toJSON());
}

/** Changes whenever a definition changes: deployment is skipped while it stays the same. */
export function definitionsHash(): string {
  return createHash('sha256').update(JSON.stringify(commandDefinitions())).digest('hex').slice(0, 16);
}
