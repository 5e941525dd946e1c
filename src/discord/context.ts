import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ModalSubmitInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Engine } from '../engine.js';
import type { IngestReport } from '../index/ingest.js';
import type { Logger } from '../log.js';
import type { AnswerPages } from './answer-pages.js';
import type { Feedback } from './feedback.js';
import type { Servers } from './servers.js';
import type { Membership } from '../index/collections.js';

/** What adding the article at a link did, and the ids of the articles found there. */
export type AddReport = IngestReport & { articleIds: string[] };

/**
 * The writes of Discord commands: in this process, or, when the bot runs in shards, by the shard
 * manager, which does every write (`src/discord/shards.ts`).
 */
export interface CollectionWriter {
  /** Fetches the page at a link and adds its article to a collection (ALLOW_PRIVATE_URLS and RETAIN_DAYS apply). */
  add(link: string, collection: Membership): Promise<AddReport>;
  /** Takes articles out of a collection (all of its articles when `ids` is omitted); one left in none is removed. */
  leave(collection: string, ids?: string[]): Promise<IngestReport>;
}

/** What a command handler can use. */
export interface BotContext {
  /** The engine as this interaction's channel sees it: the collections its server and channel answer from. */
  engine: Engine;
  /** Every article: for moderators' writes and lists, which name the collection they act on. */
  unscoped: Engine;
  log: Logger;
  pages: AnswerPages;
  /** Passages per answer when /ask does not say (ANSWER_RESULTS). */
  answerResults: number;
  /** `/add` and `/collection remove`. */
  writer: CollectionWriter;
  /** Each server's channel settings (`/collection channel`). */
  servers: Servers;
  /** Where `/add` puts an article (ADD_SCOPE). */
  addScope: 'server' | 'shared';
  /** Answers are private when a command does not say (ASK_DEFAULT_PRIVATE). */
  privateByDefault: boolean;
  /** The votes under answers. */
  feedback: Feedback;
}

/** A button's handler: for custom ids `<prefix>:…`. */
export interface ButtonHandler {
  prefix: string;
  handle(interaction: ButtonInteraction, context: BotContext): Promise<CommandOutcome>;
}

/** A submitted modal's handler: for custom ids `<prefix>:…`. */
export interface ModalHandler {
  prefix: string;
  handle(interaction: ModalSubmitInteraction, context: BotContext): Promise<CommandOutcome>;
}

/** What a handler reports for the interaction's log line. */
export interface CommandOutcome {
  results: number;
  refusal?: boolean;
}

/** A slash command module in `commands/`: its definition and its handlers. */
export interface SlashCommand {
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, context: BotContext): Promise<CommandOutcome>;
  autocomplete?(interaction: AutocompleteInteraction, context: BotContext): Promise<void>;
  /** Buttons whose custom id starts with `<prefix>:` (one handler per prefix). */
  buttons?: ButtonHandler[];
  /** Modals (opened by its buttons) whose custom id starts with `<prefix>:`. */
  modals?: ModalHandler[];
}
