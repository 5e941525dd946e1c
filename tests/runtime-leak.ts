// An entry point whose main fails with a token in its error, as argv[2] says: runMain must print neither.
import { runMain } from '../src/cli/runtime.js';
import { UserError } from '../src/errors.js';

/** Not the configured token: a header value some server quoted. */
const QUOTED_HEADER = 'Bot abcdefghijklmnopqrstuvwxyz.0123456789-quoted';

runMain(async () => {
  const token = process.env.DISCORD_TOKEN ?? '';
  if (process.argv[2] === 'user') throw new UserError(`Discord said: bad Authorization header "Bot ${token}"`, `The token ${token} was refused.`);
  if (process.argv[2] === 'header') throw new UserError(`The server answered: Authorization: ${QUOTED_HEADER}`);
  // What JSON.parse says of a body that is the header itself: its first ten characters, quoted.
  if (process.argv[2] === 'quoted-start') JSON.parse(`Bot ${token}`);
  throw new Error(`request with ${token} failed`);
});
