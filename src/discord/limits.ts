/** Discord's message limits (https://discord.com/developers/docs/resources/message). */
export const MAX_CONTENT_LENGTH = 2000;
export const MAX_EMBED_TITLE_LENGTH = 256;
export const MAX_EMBED_DESCRIPTION_LENGTH = 4096;
export const MAX_EMBED_FIELDS = 25;
export const MAX_FIELD_NAME_LENGTH = 256;
export const MAX_FIELD_VALUE_LENGTH = 1024;
export const MAX_FOOTER_LENGTH = 2048;
/** Across all the embeds of one message: titles, descriptions, field names and values, footers. */
export const MAX_EMBEDS_TOTAL_LENGTH = 6000;
export const MAX_EMBEDS_PER_MESSAGE = 10;
export const MAX_AUTOCOMPLETE_CHOICES = 25;
export const MAX_CHOICE_NAME_LENGTH = 100;
export const MAX_CHOICE_VALUE_LENGTH = 100;
/** Bytes of all attachments a bot may send in a server without boosts. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;
