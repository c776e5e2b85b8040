// Typed errors of the AntCRM client. Messages carry the status or a reason, never the api key nor a URL.

export class AntCrmError extends Error {
  override readonly name: string = 'AntCrmError';
}

/** Any non-2xx answer (401/403 are AntCrmAuthError, a subclass). */
export class AntCrmHttpError extends AntCrmError {
  override readonly name: string = 'AntCrmHttpError';
  constructor(readonly status: number, message = `AntCRM contacts: HTTP ${status}`) {
    super(message);
  }
}

/** 401 or 403: the api key was refused. */
export class AntCrmAuthError extends AntCrmHttpError {
  override readonly name = 'AntCrmAuthError';
  constructor(status: number) {
    super(status, `AntCRM contacts: api key refused (HTTP ${status})`);
  }
}

/** No complete answer within the client's timeoutMs. */
export class AntCrmTimeoutError extends AntCrmError {
  override readonly name = 'AntCrmTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`AntCRM contacts: no answer within ${timeoutMs} ms`);
  }
}

/** The request could not be sent or its answer not read (connection refused/reset, DNS). */
export class AntCrmNetworkError extends AntCrmError {
  override readonly name = 'AntCrmNetworkError';
  constructor(readonly code: string) {
    super(`AntCRM contacts: network error (${code})`);
  }
}

/** A 2xx answer that is not JSON or not a list of contacts. */
export class AntCrmResponseError extends AntCrmError {
  override readonly name = 'AntCrmResponseError';
  constructor(readonly reason: string) {
    super(`AntCRM contacts: unusable response (${reason})`);
  }
}
