// The AntCRM client's errors (contact reads and the writes of antcrm/writer.ts): the upstream tree for service
// 'antcrm' (upstream/errors.ts; codes ANTCRM_HTTP, ANTCRM_AUTH_FAILED, ANTCRM_TIMEOUT, … in
// shared/error-catalogue.ts). Messages carry the operation and the status or a reason, never the api key nor a URL.
import { serviceErrors } from '../upstream/errors.js';

/** The contact read (`GET /contacts?phone=`); the writes name theirs (antcrm/writer.ts). */
export const CONTACTS_OP = 'findByPhone';

export const {
  ServiceError: AntCrmError,
  Http: AntCrmHttpError,
  Auth: AntCrmAuthError,
  Timeout: AntCrmTimeoutError,
  Network: AntCrmNetworkError,
  Response: AntCrmResponseError,
} = serviceErrors<string>('antcrm');
export type AntCrmError = InstanceType<typeof AntCrmError>;
export type AntCrmHttpError = InstanceType<typeof AntCrmHttpError>;
export type AntCrmAuthError = InstanceType<typeof AntCrmAuthError>;
export type AntCrmTimeoutError = InstanceType<typeof AntCrmTimeoutError>;
export type AntCrmNetworkError = InstanceType<typeof AntCrmNetworkError>;
export type AntCrmResponseError = InstanceType<typeof AntCrmResponseError>;
