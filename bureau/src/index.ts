/**
 * @module zkcredit/bureau
 * The credit bureau: a documented scorecard for persons and SMEs, a registry of data providers
 * and their signed records in a PostgreSQL database (embedded or a server), applicants who
 * authenticate with a KYC binding and a history proof, and an HTTP service that signs
 * attestations of the scores it computed from what it holds.
 *
 * This entry needs Node (the service uses node:http and node:fs). Browsers import the pure
 * modules directly: `applicant.ts`, `scorecard.ts`, `requests.ts`, `errors.ts`, and the API's
 * wire types from `api-types.ts`.
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
export type {
    AttestationResponse,
    AttestationSummary,
    ChallengeResponse,
    DisputeResponse,
    DisputeRow,
    ErrorBody,
    Holdings,
    KeyResponse,
    MarketsResponse,
    RecordView,
    ReportResponse,
    ScoreReport
} from "./api-types.ts"
export { HttpError, type CorsOrigins } from "./http.ts"
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
    RECORDED_DEFAULTS_TABLE,
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
export { loadOrCreateAdminToken } from "./admin-token.ts"
export { BINDING_TYPES, bindingDomain, parseBinding, recoverBindingSigner, signBinding, type BindingFields, type KycBinding, type TypedDataSigner } from "./binding.ts"
export { Bureau, CHALLENGE_SECONDS, ISSUED_AT_SKEW_SECONDS, MAX_RECORDS_PER_SUBMISSION, type ChainHistory, type LoanReader, type OfficerCheck, type RecordedDefault, type RecordedDefaultsReader } from "./bureau.ts"
export { chainHistory, officersFromChain, recordedDefaultsFromChain } from "./chain.ts"
export { openDatabase, type Database, type DatabaseLocation, type Queryable } from "./db/database.ts"
export { migrate, MIGRATIONS, type Migration } from "./db/migrations.ts"
export { BureauStore, type AttestationLogEntry, type LenderRow, type ProviderRow, type StoredRecord } from "./db/store.ts"
export { applicantFromRecords, type DerivedApplicant, type ScoredRecord } from "./features.ts"
export { summariseHistory, type HistorySummary, type OnChainLoan } from "./history.ts"
export { normaliseId, personReference, type SubjectKind } from "./person-ref.ts"
export { createProviderKey, parseProviderKeyFile, providerPublicKey, signRecord, type ProviderKeyFile } from "./provider-key.ts"
export {
    canonicalJson,
    parseSignedRecord,
    periodIndex,
    periodOf,
    PROVIDER_CATEGORIES,
    RECORD_KINDS,
    recordId,
    recordSigningBytes,
    verifyRecordSignature,
    type ProviderCategory,
    type ProviderRecord,
    type RecordKind,
    type SignedRecord
} from "./records.ts"
export {
    createBureauService,
    DEFAULT_MAX_BODY_BYTES,
    MAX_VALIDITY_SECONDS,
    type BureauLogEntry,
    type BureauLogger,
    type BureauService,
    type BureauServiceOptions
} from "./service.ts"
