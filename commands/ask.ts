import {
  ComponentType,
  SlashCommandBuilder,
  TextInputStyle,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { MAX_FOLLOW_UPS, type Turn } from '../src/answers/follow-up.js';
import { UserError } from '../src/errors.js';
import type { AnswerPage } from '../src/discord/answer-pages.js';
import type { ArticleFilter } from '../src/answers/filters.js';
import { PASSAGES_PER_ANSWER } from '../src/answers/answer.js';
import { MAX_QUESTION_LENGTH } from '../src/answers/question.js';
import type { BotContext, ButtonHandler, CommandOutcome, ModalHandler } from '../src/discord/context.js';
import type { Vote } from '../src/discord/feedback.js';
import { deferReply, respond, respondPrivately, type ReplyInteraction } from '../src/discord/respond.js';
import { askMessage } from '../src/discord/render.js';
import { articleOption, completeFilter, filterWordsOf, isPrivate, outletOption, privateOption, sinceOption, untilOption } from '../src/discord/options.js';

const MORE = 'more';
const VOTE = 'vote';
const FOLLOW_UP = 'followup';
/** The modal's one text input. */
const FOLLOW_UP_INPUT = 'question';

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
  const asPrivate = isPrivate(interaction, context);
  // Read before deferring: a filter that names nothing is refused privately, at once.
  const filter = context.engine.filterOf(filterWordsOf(interaction));
  await deferReply(interaction, asPrivate);
  const question = interaction.options.getString('question', true);
  const results = interaction.options.getInteger('results') ?? context.answerResults;
  return answerPage(interaction, context, { question, results, offset: 0, filter, asPrivate, userId: interaction.user.id });
}

export async function autocomplete(interaction: AutocompleteInteraction, context: BotContext): Promise<void> {
  await completeFilter(interaction, context);
}

/** What a page of an answer is asked with (a follow-up's conversation included). */
type PageRequest = Omit<AnswerPage, 'answerLine' | 'private' | 'filter'> & { offset: number; filter: ArticleFilter; asPrivate: boolean };

/** Asks and replies with one page of the answer, with its buttons: more passages, follow up, 👍 / 👎. */
async function answerPage(interaction: ReplyInteraction, { engine, pages, feedback }: BotContext, request: PageRequest): Promise<CommandOutcome> {
  const { question, results, offset, filter, asPrivate, context = [] } = request;
  const answer = await engine.ask(question, { results, offset, filter, context });
  if (answer.kind === 'refusal') {
    await respond(interaction, askMessage(answer));
    return { results: 0, refusal: true };
  }
  const key = pages.save({
    question: answer.question,
    results,
    userId: request.userId,
    filter,
    private: asPrivate,
    ...(context.length ? { context } : {}),
    ...(answer.answerLine ? { answerLine: answer.answerLine } : {}),
  });
  const voteKey = feedback.remember({
    question: answer.question,
    filter,
    ...(answer.asOf ? { asOf: answer.asOf } : {}),
    passages: answer.passages.map((p) => `${p.citation.articleId}#${p.position}`),
    ...(answer.answerLine ? { answerLine: answer.answerLine } : {}),
  });
  await respond(
    interaction,
    askMessage(answer, {
      moreId: `${MORE}:${key}:${offset + results}`,
      ...(context.length < MAX_FOLLOW_UPS ? { followUpId: `${FOLLOW_UP}:${key}` } : {}),
      voteIds: { up: `${VOTE}:${voteKey}:up`, down: `${VOTE}:${voteKey}:down` },
    }),
  );
  return { results: answer.passages.length };
}

/** The page a button or modal of an answer stands for, when it is still there and the person is the one who asked; else says why not, privately. */
async function pageFor(interaction: ButtonInteraction | ModalSubmitInteraction, pages: BotContext['pages'], action: string): Promise<{ key: string; page: AnswerPage } | undefined> {
  const [, key] = interaction.customId.split(':');
  const page = key ? pages.get(key) : undefined;
  if (!key || !page) {
    await respondPrivately(interaction, 'This button has expired. Ask again with /ask.');
    return undefined;
  }
  if (page.userId !== interaction.user.id) {
    await respondPrivately(interaction, `Only the person who asked can ${action}. Ask your own with /ask.`);
    return undefined;
  }
  return { key, page };
}

/** The "More passages" button: the next page of the same answer, for the person who asked. */
const more: ButtonHandler = {
  prefix: MORE,
  async handle(interaction: ButtonInteraction, context: BotContext): Promise<CommandOutcome> {
    const found = await pageFor(interaction, context.pages, 'page through this answer');
    if (!found) return { results: 0, refusal: true };
    const { key, page } = found;
    const offset = Number(interaction.customId.split(':')[2]);
    if (!Number.isInteger(offset) || !context.pages.markShown(key, offset)) {
      await respondPrivately(interaction, 'These passages are already shown above.');
      return { results: 0, refusal: true };
    }
    const asPrivate = page.private ?? false;
    await deferReply(interaction, asPrivate);
    return answerPage(interaction, context, { ...page, offset, filter: page.filter ?? {}, asPrivate });
  },
};

/** "Follow up": a modal for the next question, asked in the conversation of this answer (by the person who asked it). */
const followUp: ButtonHandler = {
  prefix: FOLLOW_UP,
  async handle(interaction: ButtonInteraction, { pages }: BotContext): Promise<CommandOutcome> {
    const found = await pageFor(interaction, pages, 'follow up on this answer');
    if (!found) return { results: 0, refusal: true };
    if ((found.page.context?.length ?? 0) >= MAX_FOLLOW_UPS) {
      await respondPrivately(interaction, `This conversation has had ${MAX_FOLLOW_UPS} follow-ups: ask anew with /ask.`);
      return { results: 0, refusal: true };
    }
    await interaction.showModal({
      custom_id: `${FOLLOW_UP}:${found.key}`,
      title: 'Follow up',
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            { type: ComponentType.TextInput, custom_id: FOLLOW_UP_INPUT, style: TextInputStyle.Short, label: 'Your next question', max_length: MAX_QUESTION_LENGTH, required: true },
          ],
        },
      ],
    });
    return { results: 0 };
  },
};

/** The follow-up typed in the modal: answered with the conversation so far as context, its filters and privacy kept. */
const followUpAsked: ModalHandler = {
  prefix: FOLLOW_UP,
  async handle(interaction: ModalSubmitInteraction, context: BotContext): Promise<CommandOutcome> {
    const found = await pageFor(interaction, context.pages, 'follow up on this answer');
    if (!found) return { results: 0, refusal: true };
    const { page } = found;
    const field = interaction.fields.fields.get(FOLLOW_UP_INPUT);
    const question = field && 'value' in field ? field.value : undefined;
    if (typeof question !== 'string' || !question.trim()) throw new UserError('Type a question to follow up with.');
    const conversation: Turn[] = [...(page.context ?? []), { question: page.question, ...(page.answerLine ? { answerLine: page.answerLine } : {}) }];
    const asPrivate = page.private ?? false;
    await deferReply(interaction, asPrivate);
    return answerPage(interaction, context, { question, results: page.results, offset: 0, filter: page.filter ?? {}, asPrivate, userId: page.userId, context: conversation });
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

export const buttons = [more, followUp, vote];
export const modals = [followUpAsked];
