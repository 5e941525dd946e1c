import { PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { isModerator, refusedToNonModerator } from '../src/discord/moderators.js';
import { deferReply, respond } from '../src/discord/respond.js';
import { UserError } from '../src/errors.js';
import { addedMessage } from '../src/discord/render.js';
import { serverCollection, SHARED } from '../src/index/collections.js';

export const data = new SlashCommandBuilder()
  .setName('add')
  .setDescription('Add a news article by its link to this server’s collection (moderators)')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setDMPermission(false)
  .addStringOption((o) => o.setName('url').setDescription('The article’s address (http or https)').setRequired(true).setMaxLength(2000));

/**
 * Fetches the page and adds its article to this server's collection (the shared one with
 * ADD_SCOPE=shared), then answers from it. Checked again on use: only for those who can manage the server.
 */
export async function execute(interaction: ChatInputCommandInteraction, { unscoped, log, writer, addScope }: BotContext): Promise<CommandOutcome> {
  if (!isModerator(interaction)) return refusedToNonModerator(interaction, 'add articles');
  const link = interaction.options.getString('url', true).trim();
  await deferReply(interaction, true);
  const collection = addScope === 'shared' ? SHARED : serverCollection(interaction.guildId);
  const report = await writer.add(link, { name: collection, by: interaction.user.id, at: new Date().toISOString() });
  const problem = report.problems[0];
  if (problem) throw new UserError(`Could not add ${link}: ${problem.reason}`);
  await unscoped.reload();
  const found = report.articleIds[0] ? unscoped.article(report.articleIds[0]) : undefined;
  if (!found) throw new UserError(`Could not add ${link}: no article found on the page.`);
  log.info({ link, article: found.id, collection, added: report.added, joined: report.joined, updated: report.updated }, 'article added from Discord');
  // Stored already for another collection, it is new to this one.
  const status = report.added || report.joined ? 'added' : report.updated ? 'updated' : 'unchanged';
  await respond(interaction, addedMessage({ citation: unscoped.citation(found.id), paragraphs: found.paragraphCount, status, collection: addScope }, link));
  return { results: 1 };
}
