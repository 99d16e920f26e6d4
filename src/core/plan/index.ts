export { plan } from './plan.js';
export { parseRename, formatRename, confirmationFlag, confirmationCommand } from './confirmation.js';
export type {
  ColumnChange,
  Confirmation,
  ConstraintDef,
  EnumColumnUse,
  EnumRef,
  Finding,
  Numbering,
  Operation,
  OperationBody,
  OperationKind,
  Plan,
  PlanOptions,
  PlannedOperation,
  PossibleRename,
  RenameRequest,
  RiskRuleId,
} from './types.js';
