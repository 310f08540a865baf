/** Core value types shared by the pure domain modules. No I/O here. */
import type { Answers, UnitKind } from "../plan/schema.js";

export type { Answers, UnitKind };

/** A unit of the organisation tree (province, district, commune union, branch, special unit). */
export interface UnitNode {
  id: number;
  code: string;
  name: string;
  kind: UnitKind;
  parentId: number | null;
}

/** One stored report, as the progress computation needs it. */
export interface ReportFact {
  unitId: number;
  formKey: string;
  periodKey: string;
  submittedAt: Date;
  answers: Answers;
}
