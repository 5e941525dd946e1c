/**
 * The commands for moderators (`/add`, `/collection`, `/digest`): registered for members who can
 * manage the server, and checked again on use, as a server's owner may have changed who sees them.
 */
import { PermissionFlagsBits, type CacheType, type ChatInputCommandInteraction } from 'discord.js';
import type { CommandOutcome } from './context.js';
import { respondPrivately } from './respond.js';

/** In a server, by a member who can manage it. */
export function isModerator(interaction: ChatInputCommandInteraction): interaction is ChatInputCommandInteraction<Exclude<CacheType, undefined>> {
  return interaction.inGuild() && interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild);
}

/** The private refusal to anyone else: "Only members who can manage this server can <doing>." */
export async function refusedToNonModerator(interaction: ChatInputCommandInteraction, doing: string): Promise<CommandOutcome> {
  await respondPrivately(interaction, `Only members who can manage this server can ${doing}.`);
  return { results: 0, refusal: true };
}
