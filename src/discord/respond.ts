/**
 * The one place that sends Discord replies: every send and edit goes out with no mentions
 * parsed, within Discord's limits, deferred or not as the interaction's state requires.
 */
import {
  MessageFlags,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type ApplicationCommandOptionChoiceData,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type MessageCreateOptions,
  type ModalSubmitInteraction,
} from 'discord.js';
import {
  MAX_AUTOCOMPLETE_CHOICES,
  MAX_CHOICE_NAME_LENGTH,
  MAX_CHOICE_VALUE_LENGTH,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  MAX_CONTENT_LENGTH,
  MAX_EMBEDS_PER_MESSAGE,
  MAX_EMBEDS_TOTAL_LENGTH,
  MAX_EMBED_DESCRIPTION_LENGTH,
  MAX_EMBED_FIELDS,
  MAX_EMBED_TITLE_LENGTH,
  MAX_FIELD_NAME_LENGTH,
  MAX_FIELD_VALUE_LENGTH,
  MAX_FOOTER_LENGTH,
} from './limits.js';
import { truncateAtSentence } from './truncate.js';

export type ReplyInteraction = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/** What a handler wants to say; `respond` makes it safe to send. */
export interface ReplyPayload {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  ephemeral?: boolean;
  /** Attachments (a chart); one larger than Discord takes is left out. */
  files?: { name: string; data: Buffer }[];
}

/** Nobody is ever pinged: not by article text, not by a question, not by a name. */
export const NO_MENTIONS = { parse: [] as [] };

/** Acknowledges at once, so slow work has 15 minutes instead of 3 seconds. */
export async function deferReply(interaction: ReplyInteraction, ephemeral = false): Promise<void> {
  if (interaction.deferred || interaction.replied) return;
  await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
}

/** What every send carries: the payload within limits, no mentions, and the private flag when asked. */
function messageOptions(payload: ReplyPayload) {
  const safe = withinLimits(payload);
  return {
    content: safe.content,
    embeds: safe.embeds,
    components: safe.components,
    ...(safe.files?.length ? { files: safe.files.map((f) => ({ attachment: f.data, name: f.name })) } : {}),
    allowedMentions: NO_MENTIONS,
    flags: payload.ephemeral ? (MessageFlags.Ephemeral as const) : undefined,
  };
}

/** Sends the reply: edits the deferred one, or replies directly. */
export async function respond(interaction: ReplyInteraction, payload: ReplyPayload): Promise<void> {
  const { flags, ...options } = messageOptions(payload);
  if (interaction.deferred || interaction.replied) {
    // An edit replaces the whole message: absent parts are sent empty, and the flags stay those of the deferral.
    await interaction.editReply({ ...options, content: options.content ?? '', embeds: options.embeds ?? [], components: options.components ?? [] });
    return;
  }
  await interaction.reply({ ...options, flags });
}

/** A message after the reply (the next page of an answer, or a private note). */
export async function followUp(interaction: ReplyInteraction, payload: ReplyPayload): Promise<void> {
  await interaction.followUp(messageOptions(payload));
}

/** A message the bot posts on its own (a channel digest, a note by DM): the same limits, no mentions. */
export async function post(channel: { send(options: MessageCreateOptions): Promise<unknown> }, payload: ReplyPayload): Promise<void> {
  const { flags: _flags, ...options } = messageOptions(payload);
  await channel.send(options);
}

/** A private note to the person who acted, whatever state the interaction is in. */
export async function respondPrivately(interaction: ReplyInteraction, content: string): Promise<void> {
  const payload = { content, ephemeral: true };
  const deferredOnly = interaction.deferred && !interaction.replied;
  if ((!interaction.deferred && !interaction.replied) || (deferredOnly && interaction.ephemeral)) return respond(interaction, payload);
  // A public deferral cannot turn private: drop the placeholder and say it privately.
  if (deferredOnly) await interaction.deleteReply().catch(() => undefined);
  await followUp(interaction, payload);
}

/** Autocomplete choices within Discord's limits (25 choices, names and values of 100 characters). */
export async function respondChoices(interaction: AutocompleteInteraction, choices: ApplicationCommandOptionChoiceData<string>[]): Promise<void> {
  await interaction.respond(
    choices.slice(0, MAX_AUTOCOMPLETE_CHOICES).map((c) => ({
      name: clip(c.name, MAX_CHOICE_NAME_LENGTH),
      value: clip(c.value, MAX_CHOICE_VALUE_LENGTH),
    })),
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Applies every limit: content, each embed part, field count, embeds per message, total embed length. */
export function withinLimits(payload: ReplyPayload): ReplyPayload {
  const embeds = (payload.embeds ?? []).slice(0, MAX_EMBEDS_PER_MESSAGE).map((embed) => ({
    ...embed,
    ...(embed.title !== undefined && { title: truncateAtSentence(embed.title, MAX_EMBED_TITLE_LENGTH) }),
    ...(embed.description !== undefined && { description: truncateAtSentence(embed.description, MAX_EMBED_DESCRIPTION_LENGTH) }),
    ...(embed.footer && { footer: { ...embed.footer, text: truncateAtSentence(embed.footer.text, MAX_FOOTER_LENGTH) } }),
    ...(embed.fields && {
      fields: embed.fields.slice(0, MAX_EMBED_FIELDS).map((f) => ({
        ...f,
        name: truncateAtSentence(f.name, MAX_FIELD_NAME_LENGTH),
        value: truncateAtSentence(f.value, MAX_FIELD_VALUE_LENGTH),
      })),
    }),
  }));
  fitTotalLength(embeds);
  return {
    ...payload,
    content: payload.content === undefined ? undefined : truncateAtSentence(payload.content, MAX_CONTENT_LENGTH),
    embeds,
    ...(payload.files && { files: payload.files.filter((f) => f.data.length <= MAX_ATTACHMENT_BYTES).slice(0, MAX_ATTACHMENTS) }),
  };
}

export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

/** Shortens descriptions and field values from the last embed backwards until all fit in 6000 characters. */
function fitTotalLength(embeds: APIEmbed[]): void {
  let excess = embeds.reduce((sum, e) => sum + embedLength(e), 0) - MAX_EMBEDS_TOTAL_LENGTH;
  for (let i = embeds.length - 1; i >= 0 && excess > 0; i--) {
    const embed = embeds[i]!;
    for (const field of [...(embed.fields ?? [])].reverse()) {
      if (excess <= 0) break;
      const target = Math.max(1, field.value.length - excess);
      const shorter = truncateAtSentence(field.value, target);
      excess -= field.value.length - shorter.length;
      field.value = shorter;
    }
    if (excess > 0 && embed.description) {
      const target = Math.max(1, embed.description.length - excess);
      const shorter = truncateAtSentence(embed.description, target);
      excess -= embed.description.length - shorter.length;
      embed.description = shorter;
    }
    if (excess > 0) {
      excess -= embedLength(embed);
      embeds.splice(i, 1);
    }
  }
}
