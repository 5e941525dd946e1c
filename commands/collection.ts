import { ChannelType, PermissionFlagsBits, SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { isModerator, refusedToNonModerator } from '../src/discord/moderators.js';
import { deferReply, respond, respondChoices } from '../src/discord/respond.js';
import { collectionListMessage, escapeText } from '../src/discord/render.js';
import { CHANNEL_USES, type ChannelUse } from '../src/discord/servers.js';
import { membershipsOf, serverCollection } from '../src/index/collections.js';
import { MAX_LOOKUP_LENGTH } from '../src/engine.js';
import { UserError } from '../src/errors.js';

const USE_LABELS: Record<ChannelUse, string> = {
  both: 'the shared collection and this server’s',
  shared: 'the shared collection only',
  server: 'this server’s collection only',
};

export const data = new SlashCommandBuilder()
  .setName('collection')
  .setDescription('This server’s own articles: list them, remove one, choose what a channel answers from (moderators)')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setDMPermission(false)
  .addSubcommand((s) => s.setName('list').setDescription('The articles added in this server, newest first, with who added each'))
  .addSubcommand((s) =>
    s
      .setName('remove')
      .setDescription('Take an article out of this server’s collection')
      .addStringOption((o) => o.setName('article').setDescription('Its title').setRequired(true).setAutocomplete(true).setMaxLength(MAX_LOOKUP_LENGTH)),
  )
  .addSubcommand((s) =>
    s
      .setName('channel')
      .setDescription('What a channel answers from')
      .addChannelOption((o) => o.setName('channel').setDescription('The channel').setRequired(true).addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum))
      .addStringOption((o) =>
        o
          .setName('use')
          .setDescription('shared: the operator’s articles; server: this server’s; both (the default)')
          .setRequired(true)
          .setMaxLength(10)
          .addChoices(...CHANNEL_USES.map((use) => ({ name: use, value: use }))),
      ),
  );

export async function execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<CommandOutcome> {
  if (!isModerator(interaction)) return refusedToNonModerator(interaction, 'manage its collection');
  const guildId = interaction.guildId;
  const own = context.unscoped.within([serverCollection(guildId)]);
  const subcommand = interaction.options.getSubcommand(true);
  if (subcommand === 'list') {
    const entries = [...own.manifest.articles.values()]
      .map((article) => ({ article, membership: membershipsOf(article).find((m) => m.name === serverCollection(guildId)) }))
      .sort((a, b) => (b.membership?.at ?? '').localeCompare(a.membership?.at ?? ''))
      .map(({ article, membership }) => ({ title: article.title, ...(article.url ? { url: article.url } : {}), ...(membership?.by ? { by: membership.by } : {}), ...(membership?.at ? { at: membership.at } : {}) }));
    await respond(interaction, { ...collectionListMessage(entries, USE_LABELS[context.servers.channelUse(guildId, interaction.channelId)]), ephemeral: true });
    return { results: entries.length };
  }
  if (subcommand === 'remove') {
    const typed = interaction.options.getString('article', true);
    const articleId = own.filterOf({ article: typed }).articleId;
    if (!articleId) throw new UserError(`No article of this server's collection matches "${typed.slice(0, 100)}".`);
    const title = own.article(articleId)!.title;
    await deferReply(interaction, true);
    const report = await context.writer.leave(serverCollection(guildId), [articleId]);
    await context.unscoped.reload();
    context.log.info({ guild: guildId, article: articleId, removed: report.removed }, 'article removed from a server collection');
    await respond(interaction, { content: `Removed from this server's collection: **${escapeText(title)}**` });
    return { results: 1 };
  }
  const channelId = String(interaction.options.get('channel', true).value);
  const use = interaction.options.getString('use', true) as ChannelUse;
  if (!CHANNEL_USES.includes(use)) throw new UserError(`"use" is one of ${CHANNEL_USES.join(', ')}.`);
  await context.servers.setChannelUse(guildId, channelId, use);
  context.log.info({ guild: guildId, channel: channelId, use }, 'channel collection set');
  await respond(interaction, { content: `<#${channelId}> now answers from ${USE_LABELS[use]}.`, ephemeral: true });
  return { results: 1 };
}

/** Only the server's own articles are offered for removal. */
export async function autocomplete(interaction: AutocompleteInteraction, { unscoped }: BotContext): Promise<void> {
  if (!interaction.inGuild()) return respondChoices(interaction, []);
  const own = unscoped.within([serverCollection(interaction.guildId)]);
  await respondChoices(interaction, own.suggestArticles(interaction.options.getFocused()).map((a) => ({ name: a.title, value: a.id })));
}
