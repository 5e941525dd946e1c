import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { deferReply, respond } from '../src/discord/respond.js';
import { timelineMessage } from '../src/discord/render.js';
import { completeFilter, filterWordsOf, isPrivate, privateOption, sinceOption, untilOption } from '../src/discord/options.js';
import { coverageChartPng } from '../src/rendering/coverage-chart.js';
import { MAX_LOOKUP_LENGTH } from '../src/engine.js';

export const data = new SlashCommandBuilder()
  .setName('timeline')
  .setDescription('How a story developed: dated entries quoted from the articles, with a chart of the coverage')
  .addStringOption((o) => o.setName('topic').setDescription('The story (a few words)').setRequired(true).setMaxLength(MAX_LOOKUP_LENGTH))
  .addStringOption(sinceOption)
  .addStringOption(untilOption)
  .addBooleanOption(privateOption);

export async function execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<CommandOutcome> {
  await deferReply(interaction, isPrivate(interaction, context));
  const { engine } = context;
  const result = await engine.timeline(interaction.options.getString('topic', true), engine.filterOf(filterWordsOf(interaction, ['since', 'until'])));
  const chart = result.kind === 'timeline' && result.coverage.length ? await coverageChartPng(result) : undefined;
  await respond(interaction, timelineMessage(result, chart));
  return result.kind === 'refusal' ? { results: 0, refusal: true } : { results: result.entries.length };
}

export async function autocomplete(interaction: AutocompleteInteraction, context: BotContext): Promise<void> {
  await completeFilter(interaction, context);
}
