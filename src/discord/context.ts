import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Engine } from '../engine.js';
import type { Logger } from '../log.js';
import type { AnswerPages } from './answer-pages.js';

/** What a command handler can use. */
export interface BotContext {
  engine: Engine;
  log: Logger;
  pages: AnswerPages;
  /** Passages per answer when /ask does not say (ANSWER_RESULTS). */
  answerResults: number;
  /** Links from Discord may reach private addresses only when this is set (ALLOW_PRIVATE_URLS). */
  allowPrivateUrls: boolean;
  /** Articles dated more than this many days ago are not kept (RETAIN_DAYS). */
  retainDays?: number;
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
  /** Buttons whose custom id starts with `<prefix>:`. */
  button?: { prefix: string; handle(interaction: ButtonInteraction, context: BotContext): Promise<CommandOutcome> };
}
