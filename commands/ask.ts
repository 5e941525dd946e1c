import { SlashCommandBuilder, type AutocompleteInteraction, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { ArticleFilter } from '../src/answers/filters.js';
import { PASSAGES_PER_ANSWER } from '../src/answers/answer.js';
import { MAX_QUESTION_LENGTH } from '../src/answers/question.js';
import type { BotContext, ButtonHandler, CommandOutcome } from '../src/discord/context.js';
import type { Vote } from '../src/discord/feedback.js';
import { deferReply, respond, respondPrivately } from '../src/discord/respond.js';
import { askMessage } from '../src/discord/render.js';
import { articleOption, completeFilter, filterWordsOf, isPrivate, outletOption, privateOption, sinceOption, untilOption } from '../src/discord/options.js';

const MORE = 'more';
const VOTE = 'vote';

export const data = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask a question: get quoted passages from the news articles, with their sources')
  .addStringOption((o) => o.setName('question').setDescription('Your question').setRequired(true).setMaxLength(MAX_QUESTION_LENGTH))
  .addIntegerOption((o) =>
    o
      .setName('results')
      .setDescription(`How many passages (${PASSAGES_PER_ANSWER.min}-${PASSAGES_PER_ANSWER.max}; the server's default when empty)`)
      .setMinValue(PASSAGES_PER_ANSWER.min)
      .setMaxValue(PASSAGES_PER_ANSWER.max),
  )
  .addStringOption(sinceOption)
  .addStringOption(untilOption)
  .addStringOption(outletOption)
  .addStringOption(articleOption)
  .addBooleanOption(privateOption);

export async function execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<CommandOutcome> {
  const { engine, pages, answerResults } = context;
  const asPrivate = isPrivate(interaction, context);
  // Read before deferring: a filter that names nothing is refused privately, at once.
  const filter = engine.filterOf(filterWordsOf(interaction));
  await deferReply(interaction, asPrivate);
  const question = interaction.options.getString('question', true);
  const results = interaction.options.getInteger('results') ?? answerResults;
  return answerPage(interaction, { engine, question, results, offset: 0, pages, filter, asPrivate, feedback: context.feedback });
}

export async function autocomplete(interaction: AutocompleteInteraction, context: BotContext): Promise<void> {
  await completeFilter(interaction, context);
}

async function answerPage(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  {
    engine,
    pages,
    question,
    results,
    offset,
    filter,
    asPrivate,
    feedback,
  }: Pick<BotContext, 'engine' | 'pages' | 'feedback'> & { question: string; results: number; offset: number; filter: ArticleFilter; asPrivate: boolean },
): Promise<CommandOutcome> {
  const answer = await engine.ask(question, { results, offset, filter });
  const moreId =
    answer.kind === 'answer' && answer.hasMore
      ? `${MORE}:${pages.save({ question: answer.question, results, userId: interaction.user.id, filter, private: asPrivate })}:${offset + results}`
      : undefined;
  const voteKey =
    answer.kind === 'answer'
      ? feedback.remember({
          question: answer.question,
          filter,
          ...(answer.asOf ? { asOf: answer.asOf } : {}),
          passages: answer.passages.map((p) => `${p.citation.articleId}#${p.position}`),
          ...(answer.answerLine ? { answerLine: answer.answerLine } : {}),
        })
      : undefined;
  await respond(interaction, askMessage(answer, { moreId, voteIds: voteKey ? { up: `${VOTE}:${voteKey}:up`, down: `${VOTE}:${voteKey}:down` } : undefined }));
  return answer.kind === 'answer' ? { results: answer.passages.length } : { results: 0, refusal: true };
}

/** The "More passages" button: the next page of the same answer, for the person who asked. */
const more: ButtonHandler = {
  prefix: MORE,
  async handle(interaction: ButtonInteraction, { engine, pages, feedback }: BotContext): Promise<CommandOutcome> {
    const [, key, offsetText] = interaction.customId.split(':');
    const page = key ? pages.get(key) : undefined;
    const offset = Number(offsetText);
    if (!page || !Number.isInteger(offset)) {
      await respondPrivately(interaction, 'This button has expired. Ask again with /ask.');
      return { results: 0, refusal: true };
    }
    if (page.userId !== interaction.user.id) {
      await respondPrivately(interaction, 'Only the person who asked can page through this answer. Ask your own with /ask.');
      return { results: 0, refusal: true };
    }
    if (!pages.markShown(key!, offset)) {
      await respondPrivately(interaction, 'These passages are already shown above.');
      return { results: 0, refusal: true };
    }
    const asPrivate = page.private ?? false;
    await deferReply(interaction, asPrivate);
    return answerPage(interaction, { engine, pages, question: page.question, results: page.results, offset, filter: page.filter ?? {}, asPrivate, feedback });
  },
};

const VOTED: Record<'recorded' | 'changed' | 'unchanged' | 'expired', (vote: Vote) => string> = {
  recorded: (vote) => `Thanks: your ${EMOJI[vote]} is recorded.`,
  changed: (vote) => `Your vote is now ${EMOJI[vote]}.`,
  unchanged: (vote) => `Your ${EMOJI[vote]} was already recorded.`,
  expired: () => 'Votes on this answer are closed (it is more than a day old, or the bot restarted since).',
};
const EMOJI: Record<Vote, string> = { up: '👍', down: '👎' };

/** 👍 / 👎 under an answer: anyone may vote once, and change their vote (`src/discord/feedback.ts`). */
const vote: ButtonHandler = {
  prefix: VOTE,
  async handle(interaction: ButtonInteraction, { feedback }: BotContext): Promise<CommandOutcome> {
    const [, key, choice] = interaction.customId.split(':');
    if (!key || (choice !== 'up' && choice !== 'down')) {
      await respondPrivately(interaction, VOTED.expired('up'));
      return { results: 0, refusal: true };
    }
    const outcome = await feedback.vote(key, interaction.user.id, choice);
    await respondPrivately(interaction, VOTED[outcome](choice));
    return outcome === 'expired' ? { results: 0, refusal: true } : { results: 1 };
  },
};

export const buttons = [more, vote];
