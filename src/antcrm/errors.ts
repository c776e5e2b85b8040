// The AntCRM client's errors (contact reads and the writes of antcrm/writer.ts): the upstream tree for service
// 'antcrm' (upstream/errors.ts; codes ANTCRM_HTTP, ANTCRM_AUTH_FAILED, ANTCRM_TIMEOUT, … in
// shared/error-catalogue.ts). Messages carry the operation and the status or a reason, never the api key nor a URL.
import { serviceErrors } from '../upstream/errors.js';

/** The contact read (`GET /contacts?phone=`); the writes name theirs (antcrm/writer.ts). */
export const CONTACTS_OP = 'findByPhone';

const antcrm = serviceErrors<string>('antcrm');
export const { ServiceError: AntCrmError, Http: AntCrmHttpError, Auth: AntCrmAuthError } = antcrm;
export const { Timeout: AntCrmTimeoutError, Network: AntCrmNetworkError, Response: AntCrmResponseError } = antcrm;
