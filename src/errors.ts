/**
 * An error meant for the person using the product (bad input, missing index, wrong model):
 * its message is shown as is. Anything else is a bug and is reported with an error id.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
