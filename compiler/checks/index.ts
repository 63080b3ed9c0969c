import type { Rule } from "./types.js";
import { secretLiteralRule } from "./secret-literal.js";
import { referencesRule } from "./references.js";
import { dnsNamesRule } from "./dns-names.js";
import { quotaOvercommitRule } from "./quota-overcommit.js";
import { quotaWorkloadsRule } from "./quota-workloads.js";
import { rpoBackupRule } from "./rpo-backup.js";
import { backupPerformersRule } from "./backup-performers.js";
import { productionRolloutRule } from "./production-rollout.js";
import { dataPolicyRule } from "./data-policy.js";
import { promotionRule } from "./promotion.js";
import { previewAnalysisRule } from "./preview-analysis.js";
import { analysisArgsRule } from "./analysis-args.js";
import { unpinnedProductionRule } from "./unpinned-production.js";
import { unusedOverrideRule } from "./unused-override.js";
import { egressBackupsRule } from "./egress-backups.js";
import { resourceLimitsRule } from "./resource-limits.js";
import { serviceSecretStoresRule } from "./service-secret-stores.js";
import { sharedProductionSecretRule } from "./shared-production-secret.js";
import { rtoExceededRule } from "./rto-exceeded.js";
import { specConsistencyRule } from "./spec-consistency.js";
import { controlCharactersRule } from "./control-characters.js";
import { deployCycleRule, deployUnprovidedRule } from "./deploy.js";
import { addressPoolsRule } from "./address-pools.js";
import { gatewayListenersRule } from "./gateway-listeners.js";
import { localStateRule } from "./local-state.js";
import { dataEngineRule } from "./data-engines.js";
import { secretPropertyRule } from "./secret-property.js";
import { analysisMismatchRule } from "./analysis-mismatch.js";
import { statefulRolloutRule } from "./stateful-rollout.js";
import { objectStoreCredentialsRule } from "./object-store-credentials.js";
import { credentialsStateRule } from "./credentials-state.js";
import { componentNoticesRule } from "./component-notices.js";
import { chartFollowsBranchRule, chartUnpinnedRule, unknownChartVersionRule } from "./release-charts.js";

export type { Rule, RawRule, SpecRule, ModelRule } from "./types.js";

/** Every semantic rule, by stage. Add a rule: write its module, list it here, add a test case. */
export const RULES: readonly Rule[] = [
  secretLiteralRule,
  controlCharactersRule,
  referencesRule,
  dnsNamesRule,
  specConsistencyRule,
  quotaOvercommitRule,
  quotaWorkloadsRule,
  backupPerformersRule,
  rpoBackupRule,
  productionRolloutRule,
  dataPolicyRule,
  promotionRule,
  previewAnalysisRule,
  analysisArgsRule,
  unpinnedProductionRule,
  unusedOverrideRule,
  egressBackupsRule,
  resourceLimitsRule,
  serviceSecretStoresRule,
  sharedProductionSecretRule,
  rtoExceededRule,
  deployUnprovidedRule,
  deployCycleRule,
  addressPoolsRule,
  gatewayListenersRule,
  localStateRule,
  objectStoreCredentialsRule,
  credentialsStateRule,
  chartFollowsBranchRule,
  unknownChartVersionRule,
  chartUnpinnedRule,
  componentNoticesRule,
  dataEngineRule,
  secretPropertyRule,
  analysisMismatchRule,
  statefulRolloutRule,
];
