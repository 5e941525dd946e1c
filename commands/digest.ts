import { ChannelType, PermissionFlagsBits, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext, CommandOutcome } from '../src/discord/context.js';
import { isModerator, refusedToNonModerator } from '../src/discord/moderators.js';
import { respond } from '../src/discord/respond.js';
import { escapeText } from '../src/discord/render.js';
import { DIGEST_EVERY } from '../src/discord/servers.js';
import { newSubscription } from '../src/discord/digests.js';
import { MAX_LOOKUP_LENGTH } from '../src/engine.js';
import { UserError } from '../src/errors.js';

export const data = new SlashCommandBuilder()
  .setName('digest')
  .setDescription('Post the new articles in a channel, hourly or daily (moderators)')
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setDMPermission(false)
  .addChannelOption((o) => o.setName('channel').setDescription('Where to post').setRequired(true).addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement))
  .addStringOption((o) =>
    o
      .setName('every')
      .setDescription('How often; off stops the channel’s digest')
      .setRequired(true)
      .setMaxLength(10)
      .addChoices(...[...DIGEST_EVERY, 'off'].map((value) => ({ name: value, value }))),
  )
  .addStringOption((o) => o.setName('topic').setDescription('Only articles on this topic').setMaxLength(MAX_LOOKUP_LENGTH));

export async function execute(interaction: ChatInputCommandInteraction, { servers, log }: BotContext): Promise<CommandOutcome> {
  if (!isModerator(interaction)) return refusedToNonModerator(interaction, 'set up digests');
  const channelId = String(interaction.options.get('channel', true).value);
  const every = interaction.options.getString('every', true);
  if (every === 'off') {
    const had = await servers.unsubscribe(interaction.guildId, channelId);
    log.info({ guild: interaction.guildId, channel: channelId }, 'digest stopped');
    await respond(interaction, { content: had ? `<#${channelId}> gets no more digests.` : `<#${channelId}> had no digest.`, ephemeral: true });
    return { results: had ? 1 : 0 };
  }
  if (!(DIGEST_EVERY as readonly string[]).includes(every)) throw new UserError(`"every" is one of ${[...DIGEST_EVERY, 'off'].join(', ')}.`);
  const topic = interaction.options.getString('topic') ?? undefined;
  const subscription = newSubscription(channelId, every as (typeof DIGEST_EVERY)[number], interaction.user.id, new Date(), topic);
  await servers.subscribe(interaction.guildId, subscription);
  log.info({ guild: interaction.guildId, channel: channelId, every, topic: subscription.topic }, 'digest set up');
  const about = subscription.topic ? ` on “${escapeText(subscription.topic)}”` : '';
  await respond(interaction, { content: `<#${channelId}> will get the new articles${about} ${every === 'hourly' ? 'every hour' : 'every day'} (at most 10 a post; nothing when nothing is new).`, ephemeral: true });
  return { results: 1 };
}
