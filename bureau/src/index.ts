/**
 * @module zkcredit/bureau
 * The credit bureau: a documented scorecard for persons and SMEs, and an HTTP service that
 * scores applicants and signs attestations of the scores it computed.
 *
 * This entry needs Node (the service uses node:http and node:fs). Browsers import the pure
 * modules directly: `applicant.ts`, `scorecard.ts`, `requests.ts`, `errors.ts`.
 */
export {
    APPLICANT_FIELDS,
    APPLICANT_KINDS,
    ONCHAIN_COUNT_MAX,
    parseApplicant,
    parseOnChainRecord,
    type Applicant,
    type ApplicantFieldSpec,
    type OnChainRecord,
    type PersonApplicant,
    type SmeApplicant
} from "./applicant.ts"
export { BureauInputError, isBureauInputError, type BureauInputErrorCode } from "./errors.ts"
export { HttpError, type CorsOrigins, type ErrorBody } from "./http.ts"
export { loadOrCreateBureauKeyFile, toKeyFile, type BureauKeyFile } from "./key-file.ts"
export { BUREAU_SET_FIELDS, parseAttestationRequest, parseScoreRequest, type AttestationRequest, type Pseudonym, type ScoreRequest } from "./requests.ts"
export { renderApplicantFieldsMarkdown, renderScorecardMarkdown } from "./scorecard-markdown.ts"
export {
    MAX_REASONS,
    maxPointsOf,
    ONCHAIN_TABLES,
    PERSON_TABLES,
    pointsFor,
    REASON_DESCRIPTIONS,
    SCORE_MAX,
    SCORE_MIN,
    SCORECARD_VERSION,
    scoreApplicant,
    SME_TABLES,
    type FactorName,
    type FactorScore,
    type FactorTable,
    type PointsBand,
    type ReasonCode,
    type ScoreBreakdown,
    type ScoreResult
} from "./scorecard.ts"
export {
    createBureauService,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_RECORD_READER_TIMEOUT_MS,
    MAX_VALIDITY_SECONDS,
    type AttestationResponse,
    type BureauLogEntry,
    type BureauLogger,
    type BureauService,
    type BureauServiceOptions,
    type KeyResponse,
    type OnChainRecordLike,
    type RecordReader,
    type ScoreResponse
} from "./service.ts"
