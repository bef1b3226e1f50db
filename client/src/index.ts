/**
 * @module zkcredit/client
 * Chain access shared by the app, the CLI and the scripts, in Node and browsers: deployments,
 * contract handles, the KYC tree rebuilt from events (the borrower's Merkle path and the
 * officer's audit), offer and loan views, borrow preparation, the proof anchors of the active
 * root and keys, and readable contract errors.
 */
export { activeBureauKeys, activeCommitteeKey, activeCommitteeKeys, type ActiveCommitteeKey, type ActiveKeysParams } from "./active-keys.ts"
export { anchorIdOf, anchorKeeper, listAnchors, prepareAnchors, type Anchor, type AnchorMarket, type AnchorPlan, type AnchorState, type PreparedAnchor, type PreparedAnchors } from "./anchors.ts"
export { borrowProofParams, prepareBorrowRequest, prepareCreditProof, qualifyingTiers, type BorrowIntent } from "./borrow.ts"
export { ALL_ABIS, CONTRACT_ABIS, connectContracts, contractNames, type ContractName, type ZkCreditContracts } from "./contracts.ts"
export { escrowOpeningsOf, parseDeployment, type Deployment } from "./deployments.ts"
export { escrowMarketOf, partialOfEvent, readEscrowLoanStatus, type EscrowLoanStatus, type EscrowMarket, type EscrowMarketKind } from "./escrow-markets.ts"
export { parsePlatformConfig, type PlatformConfig } from "./platform-config.ts"
export { decodeRevert, explainContractError, type DecodedRevert } from "./errors.ts"
export { applyKycEvent, decodeKycLog, KYC_LEAF_EVENTS, KYC_LEAF_TOPICS, kycEventMisfit, leavesFromKycEvents, type KycEvent } from "./kyc-events.ts"
export { auditKycEvents, fetchKycEvents, kycTreeFromEvents, type FetchKycEventsOptions, type KycAudit, type KycAuditFinding } from "./kyc-tree.ts"
export { classifyLogsFailure, getLogsInRanges, type GetLogsOptions } from "./logs.ts"
export { instalmentSchedule, loanInterest, type Instalment } from "./loan-schedule.ts"
export { computeRequestMessage, positionShare, REQUEST_STATUS, REQUEST_TERMS_TUPLE, requestTermsTuple, type RequestMessage, type RequestStatusName, type RequestTerms } from "./requests.ts"
export { canOpenPosition, offerPositionHolders, offerPositionsContract, readAllOfferPositions, stillOwed, type OfferPositionView } from "./offer-positions.ts"
export { readPseudonymLoans, type PseudonymLoan } from "./history.ts"
export { findLoans, LOAN_STATUS, readLoan, readOffer, readOffers, readRecord, type LoanStatusName, type LoanView, type OfferView, type OpenedLoan, type PseudonymRecordView, type TierView } from "./views.ts"
export { auditKycDefaults, decodeKycDefaultLog, defaultsByLeafEvent, fetchKycDefaultEvents, KYC_DEFAULT_EVENTS, KYC_DEFAULT_TOPICS, kycDefaultRecords, leafEventKey, openDefaultOf, type DefaultLabel, type KycDefaultFinding, type KycDefaultEvent, type KycDefaultRecord } from "./kyc-defaults.ts"
