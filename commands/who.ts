import { SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { respond, respondChoices } from '../src/discord/respond.js';
import { whoMessage } from '../src/discord/render.js';
import { isPrivate, privateOption } from '../src/discord/options.js';

export const data = new SlashCommandBuilder()
  .setName('who')
  .setDescription('What the articles say about a person: roles, coverage and own words')
  .addStringOption((o) => o.setName('name').setDescription('The person (the most mentioned people when empty)').setAutocomplete(true).setMaxLength(100))
  .addBooleanOption(privateOption);

/** Answered from the in-memory people index: fast enough not to defer. */
export async function execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<CommandOutcome> {
  const result = context.engine.who(interaction.options.getString('name') ?? undefined);
  await respond(interaction, { ...whoMessage(result), ephemeral: isPrivate(interaction, context) });
  if (result.kind === 'refusal') return { results: 0, refusal: true };
  return { results: result.kind === 'people' ? result.people.length : 1 };
}

export async function autocomplete(interaction: AutocompleteInteraction, { engine }: BotContext): Promise<void> {
  await respondChoices(interaction, engine.suggestPeople(interaction.options.getFocused()).map((name) => ({ name, value: name })));
}
