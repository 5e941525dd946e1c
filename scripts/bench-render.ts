import type { AskResult } from '../src/answers/answer.js';
import { withinLimits } from '../src/discord/respond.js';
import { askMessage } from '../src/discord/render.js';

/** Renders an answer as the bot sends it (embeds within limits): the last step of /ask. */
export function renderAskDiscord(result: AskResult): number {
  return JSON.stringify(withinLimits(askMessage(result, { moreId: 'more:bench:3', voteIds: { up: 'vote:bench:up', down: 'vote:bench:down' } }))).length;
}
