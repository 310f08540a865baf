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
  /** A pilot unit of the plan (đơn vị điểm); absent when not. */
  pilot?: true;
  /** New-countryside status of its area (NTM nâng cao, kiểu mẫu, đô thị văn minh); absent when none. */
  ntm?: "nang_cao" | "kieu_mau" | "do_thi_van_minh";
}

/** One stored report, as the progress computation needs it. */
export interface ReportFact {
  unitId: number;
  formKey: string;
  periodKey: string;
  submittedAt: Date;
  answers: Answers;
}
