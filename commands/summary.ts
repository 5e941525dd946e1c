import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { MAX_QUESTION_LENGTH } from '../src/answers/question.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { deferReply, respond, respondChoices } from '../src/discord/respond.js';
import { SUMMARY_SENTENCES } from '../src/engine.js';
import { UserError } from '../src/errors.js';
import { summaryMessage } from '../src/rendering/discord.js';

export const data = new SlashCommandBuilder()
  .setName('summary')
  .setDescription('Summarise an article in its own sentences, or digest the articles on a topic')
  .addStringOption((o) => o.setName('article').setDescription('Title of the article (the newest when empty)').setAutocomplete(true))
  .addIntegerOption((o) =>
    o.setName('sentences').setDescription('How many sentences (3-7, default 4)').setMinValue(SUMMARY_SENTENCES.min).setMaxValue(SUMMARY_SENTENCES.max),
  )
  .addStringOption((o) => o.setName('topic').setDescription('Instead of one article: a digest across the articles on this topic').setMaxLength(MAX_QUESTION_LENGTH));

export async function execute(interaction: ChatInputCommandInteraction, { engine }: BotContext): Promise<CommandOutcome> {
  const article = interaction.options.getString('article') ?? undefined;
  const topic = interaction.options.getString('topic') ?? undefined;
  if (article && topic) throw new UserError('Choose an article or a topic, not both.');
  await deferReply(interaction);
  const result = topic
    ? await engine.digest(topic)
    : await engine.summarize(article, interaction.options.getInteger('sentences') ?? SUMMARY_SENTENCES.default);
  await respond(interaction, summaryMessage(result));
  if (result.kind === 'refusal') return { results: 0, refusal: true };
  return { results: result.kind === 'summary' ? result.sentences.length : result.items.length };
}

export async function autocomplete(interaction: AutocompleteInteraction, { engine }: BotContext): Promise<void> {
  const typed = interaction.options.getFocused();
  await respondChoices(interaction, engine.suggestArticles(typed).map((a) => ({ name: a.title, value: a.id })));
}
