import { PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { deferReply, respond, respondPrivately } from '../src/discord/respond.js';
import { UserError } from '../src/errors.js';
import { addedMessage } from '../src/discord/render.js';

export const data = new SlashCommandBuilder()
  .setName('add')
  .setDescription('Add a news article by its link (moderators)')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setDMPermission(false)
  .addStringOption((o) => o.setName('url').setDescription('The article’s address (http or https)').setRequired(true).setMaxLength(2000));

/** Fetches the page, ingests its article, and answers from it right after. Checked again on use: only for those who can manage the server. */
export async function execute(interaction: ChatInputCommandInteraction, { engine, log, addArticle }: BotContext): Promise<CommandOutcome> {
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    await respondPrivately(interaction, 'Only members who can manage this server can add articles.');
    return { results: 0, refusal: true };
  }
  const link = interaction.options.getString('url', true).trim();
  await deferReply(interaction, true);
  const report = await addArticle(link);
  const problem = report.problems[0];
  if (problem) throw new UserError(`Could not add ${link}: ${problem.reason}`);
  await engine.reload();
  const found = report.articleIds[0] ? engine.article(report.articleIds[0]) : undefined;
  if (!found) throw new UserError(`Could not add ${link}: no article found on the page.`);
  log.info({ link, article: found.id, added: report.added, updated: report.updated }, 'article added from Discord');
  const status = report.added ? 'added' : report.updated ? 'updated' : 'unchanged';
  await respond(interaction, addedMessage({ citation: engine.citation(found.id), paragraphs: found.paragraphCount, status }, link));
  return { results: 1 };
}
