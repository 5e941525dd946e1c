/**
 * The options several commands share: filters (`since`, `until`, `outlet`, `article`) and
 * `private`, with their reading and autocompletion.
 */
import type { AutocompleteInteraction, ChatInputCommandInteraction, SlashCommandBooleanOption, SlashCommandStringOption } from 'discord.js';
import { MAX_DATE_WORDS, type FilterWords } from '../answers/filters.js';
import { MAX_LOOKUP_LENGTH } from '../engine.js';
import type { BotContext } from './context.js';
import { respondChoices } from './respond.js';

export const sinceOption = (o: SlashCommandStringOption) =>
  o.setName('since').setDescription('Only articles from this day on: 2026-01-20, yesterday, this week, last 7 days, monday').setMaxLength(MAX_DATE_WORDS);

export const untilOption = (o: SlashCommandStringOption) =>
  o.setName('until').setDescription('Only articles up to this day: 2026-01-20, yesterday, last friday').setMaxLength(MAX_DATE_WORDS);

export const outletOption = (o: SlashCommandStringOption) =>
  o.setName('outlet').setDescription('Only this outlet’s articles (Reuters, AP…)').setAutocomplete(true).setMaxLength(MAX_LOOKUP_LENGTH);

export const articleOption = (o: SlashCommandStringOption) =>
  o.setName('article').setDescription('Only this article (its title)').setAutocomplete(true).setMaxLength(MAX_LOOKUP_LENGTH);

export const privateOption = (o: SlashCommandBooleanOption) => o.setName('private').setDescription('Answer only you (the server’s default when empty)');

/** The filters as typed in the command's options (`names`: those that are filters for this command). */
export function filterWordsOf(interaction: ChatInputCommandInteraction, names: readonly (keyof FilterWords)[] = ['since', 'until', 'outlet', 'article']): FilterWords {
  const words: FilterWords = {};
  for (const name of names) {
    const value = interaction.options.get(name)?.value;
    if (typeof value === 'string' && value.trim()) words[name] = value;
  }
  return words;
}

/** Whether to answer privately: the `private` option, else the server's default (ASK_DEFAULT_PRIVATE). */
export function isPrivate(interaction: ChatInputCommandInteraction, { privateByDefault }: Pick<BotContext, 'privateByDefault'>): boolean {
  return interaction.options.getBoolean('private') ?? privateByDefault;
}

/** Completes `outlet` and `article`; returns false when the focused option is neither. */
export async function completeFilter(interaction: AutocompleteInteraction, { engine }: Pick<BotContext, 'engine'>): Promise<boolean> {
  const focused = interaction.options.getFocused(true);
  if (focused.name === 'outlet') {
    await respondChoices(interaction, engine.suggestOutlets(focused.value).map((outlet) => ({ name: outlet, value: outlet })));
    return true;
  }
  if (focused.name === 'article') {
    await respondChoices(interaction, engine.suggestArticles(focused.value).map((a) => ({ name: a.title, value: a.id })));
    return true;
  }
  return false;
}
