import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { deferReply, respond, respondChoices } from '../src/discord/respond.js';
import { verifyMessage } from '../src/discord/render.js';
import { isPrivate, privateOption } from '../src/discord/options.js';
import { MAX_QUOTE_LENGTH } from '../src/answers/verify.js';
import { MAX_LOOKUP_LENGTH } from '../src/engine.js';

export const data = new SlashCommandBuilder()
  .setName('verify')
  .setDescription('Is this quote in the articles? Word for word, reworded, or not at all')
  .addStringOption((o) => o.setName('quote').setDescription('The words to check').setRequired(true).setMaxLength(MAX_QUOTE_LENGTH))
  .addStringOption((o) => o.setName('person').setDescription('Only count words the articles attribute to this person').setAutocomplete(true).setMaxLength(MAX_LOOKUP_LENGTH))
  .addBooleanOption(privateOption);

export async function execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<CommandOutcome> {
  await deferReply(interaction, isPrivate(interaction, context));
  const result = await context.engine.verify(interaction.options.getString('quote', true), interaction.options.getString('person') ?? undefined);
  await respond(interaction, verifyMessage(result));
  if (result.kind === 'refusal') return { results: 0, refusal: true };
  return { results: result.match === 'not-found' ? 0 : 1 };
}

export async function autocomplete(interaction: AutocompleteInteraction, { engine }: BotContext): Promise<void> {
  await respondChoices(interaction, engine.suggestPeople(interaction.options.getFocused()).map((name) => ({ name, value: name })));
}
