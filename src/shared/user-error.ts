/**
 * An error whose message already tells the user what is wrong and what to do: the command line prints it as it is.
 * Every part of the project may throw one (the local runtime, the application API, the command line), so it lives
 * here, below all of them; the typed errors of the local runtime (a store in use, a full disk, unusable input) are
 * kinds of it.
 */
export class UserError extends Error {
  override name = 'UserError';
}
