/** not-found: no alert with that id. conflict: the alert's state does not allow it. invalid: a bad argument. */
export type AlertActionErrorCode = 'not-found' | 'conflict' | 'invalid';

const HTTP_STATUS = { 'not-found': 404, conflict: 409, invalid: 400 } as const satisfies Record<AlertActionErrorCode, number>;

/** A refused action; the message is meant for the person who tried it. */
export class AlertActionError extends Error {
  /** What the console answers with. */
  readonly httpStatus: (typeof HTTP_STATUS)[AlertActionErrorCode];

  constructor(
    readonly code: AlertActionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AlertActionError';
    this.httpStatus = HTTP_STATUS[code];
  }
}
