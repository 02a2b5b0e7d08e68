export { EtlError, ERROR_CODES, classify, isEtlError, errorCodeOf, errorMessageOf, type ErrorCode, type Decision } from './etl-error';
