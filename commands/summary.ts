import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { MAX_QUESTION_LENGTH } from '../src/answers/question.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { deferReply, respond, respondChoices } from '../src/discord/respond.js';
import { SUMMARY_SENTENCES, summaryRequest } from '../src/answers/summary-request.js';
import { MAX_LOOKUP_LENGTH } from '../src/engine.js';
import { summaryMessage } from '../src/discord/render.js';
import { completeFilter, filterWordsOf, isPrivate, outletOption, privateOption, sinceOption, untilOption } from '../src/discord/options.js';

export const data = new SlashCommandBuilder()
  .setName('summary')
  .setDescription('Summarise an article in its own sentences, or digest the articles on a topic')
  .addStringOption((o) =>
    o.setName('article').setDescription('Title of the article (the newest when empty)').setAutocomplete(true).setMaxLength(MAX_LOOKUP_LENGTH),
  )
  .addIntegerOption((o) =>
    o.setName('sentences').setDescription('How many sentences (3-7, default 4)').setMinValue(SUMMARY_SENTENCES.min).setMaxValue(SUMMARY_SENTENCES.max),
  )
  .addStringOption((o) => o.setName('topic').setDescription('Instead of one article: a digest across the articles on this topic').setMaxLength(MAX_QUESTION_LENGTH))
  .addStringOption(sinceOption)
  .addStringOption(untilOption)
  .addStringOption(outletOption)
  .addBooleanOption(privateOption);

export async function execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<CommandOutcome> {
  const { engine } = context;
  const request = summaryRequest({
    article: interaction.options.getString('article') ?? undefined,
    topic: interaction.options.getString('topic') ?? undefined,
    sentences: interaction.options.getInteger('sentences') ?? undefined,
  });
  // The filters narrow a topic's digest (an article's summary names its article already).
  // `article` names the article to summarise here, not a filter.
  const filter = engine.filterOf(filterWordsOf(interaction, ['since', 'until', 'outlet']));
  await deferReply(interaction, isPrivate(interaction, context));
  const result = await engine.summary(request, filter);
  await respond(interaction, summaryMessage(result));
  if (result.kind === 'refusal') return { results: 0, refusal: true };
  return { results: result.kind === 'summary' ? result.sentences.length : result.items.length };
}

export async function autocomplete(interaction: AutocompleteInteraction, context: BotContext): Promise<void> {
  if (await completeFilter(interaction, context)) return;
  const typed = interaction.options.getFocused();
  await respondChoices(interaction, context.engine.suggestArticles(typed).map((a) => ({ name: a.title, value: a.id })));
}
