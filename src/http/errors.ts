// Typed errors that handlers throw; src/http/error-pages.ts turns each into the right page.

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    /** Locale key of the message shown to the user. */
    readonly messageKey: string,
  ) {
    super(messageKey);
    this.name = new.target.name;
  }
}

/** 404: the thing does not exist, or the visitor may not know that it does. */
export class NotFound extends HttpError {
  constructor(messageKey = 'errors.notFound.message') {
    super(404, messageKey);
  }
}

/** 403: signed in, but not allowed to do this. */
export class Forbidden extends HttpError {
  constructor(messageKey = 'errors.forbidden.message') {
    super(403, messageKey);
  }
}

/** The visitor must sign in first; becomes a redirect to the login page for pages. */
export class Unauthenticated extends HttpError {
  constructor() {
    super(401, 'errors.unauthenticated.message');
  }
}

/** 503: too busy right now (for instance, too many passwords waiting to be checked). */
export class ServiceUnavailable extends HttpError {
  constructor(messageKey = 'errors.busy.message') {
    super(503, messageKey);
  }
}

/**
 * 429: a rate limit was reached; the page says when to try again. `messageKey` names a plural
 * message given `count`, the minutes to wait (the generic "too many attempts" by default).
 */
export class TooManyRequests extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    messageKey = 'errors.tooManyRequests.message',
  ) {
    super(429, messageKey);
  }
}
