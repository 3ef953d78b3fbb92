/**
 * One catalogue of coded errors (in the manner of Bolt's and Fastify's). HTTP handlers map `status` to the
 * response; everything else logs `code` so operators can grep for it.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 500,
  CONFIG_UNKNOWN_SETTING: 500,
  DB_EMBEDDED_START: 500,
  DB_EMBEDDED_LOCKED: 500,
  DB_UNAVAILABLE: 503,
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  CHANNEL_UNKNOWN: 500,
  DIALOG_DEFINITION_INVALID: 500,
  DIALOG_STATE_INVALID: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class FrontlineError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'FrontlineError';
    this.status = ErrorCodes[code];
  }
}

export const isFrontlineError = (err: unknown): err is FrontlineError => err instanceof FrontlineError;
